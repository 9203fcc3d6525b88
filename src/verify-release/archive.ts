// The files inside a shipped archive, read as a user unpacks them: tar.gz (tar-stream over
// zlib) and zip (the system's unzip), the two kinds src/package/archive.ts writes.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { describeFailure, run } from '../exec.js';

export interface ArchiveMember {
  name: string;
  bytes: Buffer;
}

/** The archive kind an asset's name says, as archiveKind names them; null for any other file. */
export function archiveKindOf(name: string): 'tar.gz' | 'zip' | null {
  if (name.endsWith('.tar.gz')) return 'tar.gz';
  if (name.endsWith('.zip')) return 'zip';
  return null;
}

/**
 * Every regular file of the archive, in archive order. Throws when the bytes are not such an
 * archive. `workDir` receives a zip's files.
 */
export async function readArchive(
  kind: 'tar.gz' | 'zip',
  bytes: Buffer,
  workDir: string,
): Promise<ArchiveMember[]> {
  return kind === 'tar.gz' ? readTarGz(bytes) : readZip(bytes, workDir);
}

async function readTarGz(bytes: Buffer): Promise<ArchiveMember[]> {
  const members: ArchiveMember[] = [];
  const extract = tar.extract();
  const read = async (): Promise<void> => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      if (entry.header.type === 'file')
        members.push({ name: entry.header.name, bytes: Buffer.concat(parts) });
    }
  };
  // Both settle: a corrupt stream rejects the pipeline and the reading alike.
  await Promise.all([pipeline(Readable.from([bytes]), createGunzip(), extract), read()]);
  return members;
}

/**
 * A zip through Info-ZIP's unzip, as a user opens it (Linux and macOS have it; Git for Windows
 * brings it to Windows runners): the entries in order (`-Z1`), then every file extracted.
 */
async function readZip(bytes: Buffer, workDir: string): Promise<ArchiveMember[]> {
  const dir = await mkdtemp(path.join(workDir, 'zip-'));
  const zip = path.join(dir, 'asset.zip');
  await writeFile(zip, bytes);
  const env = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const unzip = async (args: string[]): Promise<string> => {
    const result = await run(['unzip', ...args], { cwd: dir, env, timeoutMs: 120_000 });
    if (result.exitCode !== 0)
      throw new Error(
        `${describeFailure(`unzip ${args[0]}`, result)}: ${result.stderr.trim() || result.stdout.trim()}`,
      );
    return result.stdout;
  };
  const names = (await unzip(['-Z1', zip])).split('\n').filter((n) => n !== '' && !n.endsWith('/'));
  const files = path.join(dir, 'files');
  await unzip(['-qq', zip, '-d', files]);
  const members: ArchiveMember[] = [];
  for (const name of names) members.push({ name, bytes: await readFile(path.join(files, name)) });
  return members;
}

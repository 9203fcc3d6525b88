// The files inside a shipped archive, read as a user unpacks them: tar.gz (tar-stream over
// zlib) and zip (unzip-stream), the two kinds src/package/archive.ts writes.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import type { Entry } from 'unzip-stream';
import { Parse } from 'unzip-stream';

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

/** Every regular file of the archive, in archive order. Throws when the bytes are not such an archive. */
export async function readArchive(kind: 'tar.gz' | 'zip', bytes: Buffer): Promise<ArchiveMember[]> {
  return kind === 'tar.gz' ? readTarGz(bytes) : readZip(bytes);
}

async function readTarGz(bytes: Buffer): Promise<ArchiveMember[]> {
  const members: ArchiveMember[] = [];
  const extract = tar.extract();
  const done = pipeline(Readable.from([bytes]), createGunzip(), extract);
  for await (const entry of extract) {
    const parts: Buffer[] = [];
    for await (const chunk of entry) parts.push(chunk as Buffer);
    if (entry.header.type === 'file') members.push({ name: entry.header.name, bytes: Buffer.concat(parts) });
  }
  await done;
  return members;
}

async function readZip(bytes: Buffer): Promise<ArchiveMember[]> {
  const members: ArchiveMember[] = [];
  // Each entry is read to its end before the next is asked for: the parser streams them in order.
  const sink = new Writable({
    objectMode: true,
    write(entry: Entry, _encoding, callback) {
      const parts: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => parts.push(chunk));
      entry.on('error', callback);
      entry.on('end', () => {
        if (entry.type === 'File') members.push({ name: entry.path, bytes: Buffer.concat(parts) });
        callback();
      });
    },
  });
  const parser = Parse();
  await new Promise<void>((resolve, reject) => {
    parser.on('error', reject);
    sink.on('error', reject);
    sink.on('finish', resolve);
    Readable.from([bytes]).pipe(parser).pipe(sink);
  });
  return members;
}

import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import yazl from 'yazl';
import type { ArchiveFormat } from '../options/options.js';

/** One file in an archive: its name inside, where its bytes come from, its mode. */
export interface ArchiveEntry {
  readonly name: string;
  readonly source: string;
  readonly mode: number;
}

export type ArchiveKind = 'tar.gz' | 'zip';

/** `auto` is zip for windows (what Windows users open) and tar.gz elsewhere (keeps the exec bit everywhere). */
export function archiveKind(option: ArchiveFormat, goos: string): ArchiveKind | null {
  if (option === 'none') return null;
  if (option === 'auto') return goos === 'windows' ? 'zip' : 'tar.gz';
  return option;
}

/**
 * Writes an archive whose bytes depend only on the entries and `mtime`: entries in the given
 * order, owner and group 0 with no names, every timestamp `mtime`, no host or path details.
 * Written to a temporary name first, so a failure never leaves a half archive behind.
 */
export async function writeArchive(
  kind: ArchiveKind,
  dest: string,
  entries: readonly ArchiveEntry[],
  mtime: Date,
): Promise<void> {
  const temp = `${dest}.${process.pid}.partial`;
  try {
    if (kind === 'tar.gz') await writeTarGz(temp, entries, mtime);
    else await writeZip(temp, entries, mtime);
    await rename(temp, dest);
  } finally {
    await rm(temp, { force: true });
  }
}

async function writeTarGz(dest: string, entries: readonly ArchiveEntry[], mtime: Date): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createGzip({ level: 9 }), createWriteStream(dest));
  for (const entry of entries) {
    const { size } = await stat(entry.source);
    const sink = pack.entry({
      name: entry.name,
      size,
      mode: entry.mode,
      mtime,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      type: 'file',
    });
    await pipeline(createReadStream(entry.source), sink);
  }
  pack.finalize();
  await done;
  // The gzip header's OS byte is zlib's compile-time OS_CODE (3 on Linux, 19 on macOS): pin it
  // to 3 (Unix) so the same build gives the same bytes on every runner.
  const handle = await open(dest, 'r+');
  try {
    await handle.write(Buffer.from([3]), 0, 1, 9);
  } finally {
    await handle.close();
  }
}

async function writeZip(dest: string, entries: readonly ArchiveEntry[], mtime: Date): Promise<void> {
  const zip = new yazl.ZipFile();
  const done = pipeline(zip.outputStream, createWriteStream(dest));
  for (const entry of entries) {
    // yazl writes the DOS timestamp from local-time fields; shift so they read as UTC, and
    // leave out the extended-timestamp field, so the bytes do not depend on the time zone.
    zip.addReadStream(createReadStream(entry.source), entry.name, {
      mtime: asLocalFields(mtime),
      // The file-type bits make unzip and Windows see a regular file ("-rwxr-xr-x", not "?rwxr-xr-x").
      mode: 0o100000 | entry.mode,
      compress: true,
      forceDosTimestamp: true,
    });
  }
  zip.end();
  await done;
}

function asLocalFields(utc: Date): Date {
  const guess = new Date(utc.getTime() + utc.getTimezoneOffset() * 60_000);
  return new Date(utc.getTime() + guess.getTimezoneOffset() * 60_000);
}

import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import yazl from 'yazl';
import type { ArchiveFormat } from '../options/options.js';

/** One file in an archive: its name inside, where its bytes come from (a path, or bytes already in memory), its mode. */
export interface ArchiveEntry {
  readonly name: string;
  readonly source: string | Buffer;
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
 * Written to a temporary name first, so a failure never leaves a half archive behind. Returns the
 * archive's sha256, hashed as it is written rather than read back.
 */
export async function writeArchive(
  kind: ArchiveKind,
  dest: string,
  entries: readonly ArchiveEntry[],
  mtime: Date,
): Promise<string> {
  const temp = `${dest}.${process.pid}.partial`;
  const hash = createHash('sha256');
  try {
    if (kind === 'tar.gz') await writeTarGz(temp, entries, mtime, hash);
    else await writeZip(temp, entries, mtime, hash);
    await rename(temp, dest);
  } finally {
    await rm(temp, { force: true });
  }
  return hash.digest('hex');
}

/** Passes bytes through to the file, hashing them, after `edit` had its say on each chunk and its offset. */
function hashingWriter(dest: string, hash: Hash, edit?: (chunk: Buffer, offset: number) => void) {
  let offset = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      edit?.(chunk, offset);
      offset += chunk.length;
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  return [tap, createWriteStream(dest)] as const;
}

function readerOf(source: string | Buffer): Readable {
  return typeof source === 'string' ? createReadStream(source) : Readable.from([source]);
}

async function sizeOf(source: string | Buffer): Promise<number> {
  return typeof source === 'string' ? (await stat(source)).size : source.length;
}

/** Byte 9 of a gzip header: the OS that wrote it. */
const GZIP_OS_OFFSET = 9;

async function writeTarGz(
  dest: string,
  entries: readonly ArchiveEntry[],
  mtime: Date,
  hash: Hash,
): Promise<void> {
  const pack = tar.pack();
  // The gzip header's OS byte is zlib's compile-time OS_CODE (3 on Linux, 19 on macOS): pin it
  // to 3 (Unix) so the same build gives the same bytes on every runner.
  const pinOs = (chunk: Buffer, offset: number): void => {
    if (offset <= GZIP_OS_OFFSET && GZIP_OS_OFFSET < offset + chunk.length)
      chunk[GZIP_OS_OFFSET - offset] = 3;
  };
  // zlib's default level: on cmd/go (18 MB) level 9 takes 4.3 s for a file 0.3% smaller than
  // level 6 does in 1.6 s, and the last target's archive is on the critical path.
  const done = pipeline(pack, createGzip(), ...hashingWriter(dest, hash, pinOs));
  for (const entry of entries) {
    const size = await sizeOf(entry.source);
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
    await pipeline(readerOf(entry.source), sink);
  }
  pack.finalize();
  await done;
}

async function writeZip(
  dest: string,
  entries: readonly ArchiveEntry[],
  mtime: Date,
  hash: Hash,
): Promise<void> {
  const zip = new yazl.ZipFile();
  const done = pipeline(zip.outputStream, ...hashingWriter(dest, hash));
  for (const entry of entries) {
    // yazl writes the DOS timestamp from local-time fields; shift so they read as UTC, and
    // leave out the extended-timestamp field, so the bytes do not depend on the time zone.
    const options = {
      mtime: asLocalFields(mtime),
      // The file-type bits make unzip and Windows see a regular file ("-rwxr-xr-x", not "?rwxr-xr-x").
      mode: 0o100000 | entry.mode,
      compress: true,
      forceDosTimestamp: true,
    };
    if (typeof entry.source === 'string')
      zip.addReadStream(createReadStream(entry.source), entry.name, options);
    else zip.addBuffer(entry.source, entry.name, options);
  }
  zip.end();
  await done;
}

function asLocalFields(utc: Date): Date {
  const guess = new Date(utc.getTime() + utc.getTimezoneOffset() * 60_000);
  return new Date(utc.getTime() + guess.getTimezoneOffset() * 60_000);
}

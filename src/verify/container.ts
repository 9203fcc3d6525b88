// Recognizes the container by its magic and hands it to the matching reader.
import type { Format } from './arches.js';
import type { ElfInfo } from './elf.js';
import { isElf, readElf } from './elf.js';
import type { FatSlice, MachoInfo } from './macho.js';
import { isFat, isMacho, readFat, readMacho } from './macho.js';
import type { PeInfo } from './pe.js';
import { isPe, readPe } from './pe.js';
import type { Plan9Info } from './plan9.js';
import { isPlan9, readPlan9 } from './plan9.js';
import type { ByteSource } from './source.js';
import { FormatError, readAt } from './source.js';
import type { WasmInfo } from './wasm.js';
import { isWasm, readWasm } from './wasm.js';
import type { XcoffInfo } from './xcoff.js';
import { isXcoff, readXcoff } from './xcoff.js';

export interface FatInfo {
  kind: 'fat';
  slices: FatSlice[];
}

export type Container = ElfInfo | PeInfo | MachoInfo | FatInfo | WasmInfo | Plan9Info | XcoffInfo;

export async function readContainer(src: ByteSource): Promise<Container> {
  if (src.size === 0) throw new FormatError('the file is empty');
  const head = await readAt(src, 0, Math.min(8, src.size), 'the file header');
  if (isElf(head)) return readElf(src);
  if (isMacho(head)) return readMacho(src);
  if (isFat(head)) return { kind: 'fat', slices: await readFat(src) };
  if (isPe(head)) return readPe(src);
  if (isWasm(head)) return readWasm(src);
  if (isXcoff(head)) return readXcoff(src);
  if (isPlan9(head)) return readPlan9(src);
  if (head[0] === 0x23 && head[1] === 0x21)
    throw new FormatError('a script (it starts with #!), not an executable');
  const archive = await archiveKind(src, head);
  if (archive !== null)
    throw new FormatError(`${archive}, not an executable: verify the binary inside (extract it first)`);
  throw new FormatError(`not an executable: unrecognized file format (it starts with ${hex(head)})`);
}

/** Archive and compression formats a release step wraps binaries in, by their magic (offset 0 unless said). */
const ARCHIVES: readonly { name: string; magic: Buffer; at?: number }[] = [
  { name: 'a gzip archive', magic: Buffer.from([0x1f, 0x8b]) },
  { name: 'a zip archive', magic: Buffer.from('PK\x03\x04', 'latin1') },
  { name: 'an empty zip archive', magic: Buffer.from('PK\x05\x06', 'latin1') },
  { name: 'an xz archive', magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) },
  { name: 'a zstd archive', magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]) },
  { name: 'a bzip2 archive', magic: Buffer.from('BZh', 'latin1') },
  { name: 'a 7-Zip archive', magic: Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) },
  { name: 'a RAR archive', magic: Buffer.from('Rar!\x1a\x07', 'latin1') },
  { name: 'a tar archive', magic: Buffer.from('ustar', 'latin1'), at: 257 },
];

/** 'a gzip archive (it starts with 1f 8b)', or null when the magic is no archive's. */
async function archiveKind(src: ByteSource, head: Buffer): Promise<string | null> {
  const tail = src.size >= 262 ? await readAt(src, 257, 5, 'the tar header') : Buffer.alloc(0);
  for (const a of ARCHIVES) {
    const bytes = a.at === undefined ? head.subarray(0, a.magic.length) : tail;
    if (bytes.equals(a.magic)) {
      const where = a.at === undefined ? 'it starts with' : `at offset ${a.at}:`;
      return `${a.name} (${where} ${hex(a.magic)})`;
    }
  }
  return null;
}

function hex(b: Buffer): string {
  return b.toString('hex').replace(/(..)/g, '$1 ').trim();
}

/** The container family a file's magic announces, even when the rest of it is unreadable. */
export async function sniff(src: ByteSource): Promise<Format | null> {
  if (src.size === 0) return null;
  const head = await src.read(0, Math.min(8, src.size));
  if (isElf(head)) return 'elf';
  if (isMacho(head)) return 'macho';
  if (isFat(head)) return 'macho-fat';
  if (isPe(head)) return 'pe';
  if (isWasm(head)) return 'wasm';
  if (isXcoff(head)) return 'xcoff';
  if (isPlan9(head)) return 'plan9';
  return null;
}

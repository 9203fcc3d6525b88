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
  throw new FormatError(
    `not an executable: unrecognized file format (it starts with ${head.toString('hex').replace(/(..)/g, '$1 ').trim()})`,
  );
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

// Plan 9 a.out reader. The magic encodes the architecture as _MAGIC(f, b) = f | (4*b*b + 7).
import { View } from './binary.js';
import type { Region } from './regions.js';
import type { ByteSource } from './source.js';
import { checkRange, readAt } from './source.js';

export interface Plan9Info {
  kind: 'plan9';
  magic: number;
  data: Region[];
}

const HDR_MAGIC = 0x8000;

/** The `b` of _MAGIC(f, b), or null when the word is no Plan 9 magic. */
function plan9MagicIndex(magic: number): number | null {
  if (magic >>> 16 !== 0 || (magic & 0x7fff) < 11) return null;
  const n = ((magic & 0x7fff) - 7) / 4;
  const b = Math.round(Math.sqrt(n));
  return Number.isInteger(n) && b * b === n ? b : null;
}

export function isPlan9(head: Buffer): boolean {
  return head.length >= 4 && plan9MagicIndex(head.readUInt32BE(0)) !== null;
}

export async function readPlan9(src: ByteSource): Promise<Plan9Info> {
  const h = new View(await readAt(src, 0, 32, 'the Plan 9 a.out header'), 'big', 'the Plan 9 a.out header');
  const magic = h.u32(0);
  const text = h.u32(4);
  const data = h.u32(8);
  const segments = text + data + h.u32(16) + h.u32(24) + h.u32(28); // + symbols, spsz, pcsz
  // HDR_MAGIC adds a 64-bit entry point after the classic header.
  const hdrsize = magic & HDR_MAGIC ? 40 : 32;
  checkRange(src.size, hdrsize, segments, 'the Plan 9 text, data and symbol segments');
  return {
    kind: 'plan9',
    magic,
    data: [{ name: 'Plan 9 data segment', offset: hdrsize + text, size: data, vaddr: null }],
  };
}

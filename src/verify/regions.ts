// File ranges and the virtual-address map every container reader reports, and the chunked search over them.
import type { ByteSource } from './source.js';
import { readAt } from './source.js';

/** A run of file bytes; `vaddr` is where it is mapped in memory, when the container says. */
export interface Region {
  name: string;
  offset: number;
  size: number;
  vaddr: number | null;
}

/** Loaded file bytes at a virtual address: what the pre-1.18 build info pointers are translated through. */
export interface Mapping {
  vaddr: number;
  offset: number;
  size: number;
}

/** The file offset of `[vaddr, vaddr+length)` when one mapping holds all of it. */
export function vaddrToOffset(maps: readonly Mapping[], vaddr: number, length: number): number | null {
  for (const m of maps) {
    if (vaddr >= m.vaddr && vaddr + length <= m.vaddr + m.size) return m.offset + (vaddr - m.vaddr);
  }
  return null;
}

/** How many file bytes the regions cover together: overlaps and repeats count once. */
export function coveredBytes(regions: readonly Region[]): number {
  const sorted = [...regions].sort((a, b) => a.offset - b.offset);
  let total = 0;
  let end = 0;
  for (const r of sorted) {
    const start = Math.max(r.offset, end);
    const stop = r.offset + r.size;
    if (stop > start) total += stop - start;
    end = Math.max(end, stop);
  }
  return total;
}

const CHUNK = 1024 * 1024;

/** Bytes a search may still read: hostile tables can list the same large range thousands of times. */
export interface Budget {
  left: number;
}

/**
 * Offsets (relative to the region start) of `needle` in `region`, in order, read in 1 MiB chunks that overlap
 * by the needle's length so that a match across a chunk boundary is found; at most `limit` of them, and it stops
 * when the budget is spent.
 */
export async function* findAll(
  src: ByteSource,
  region: Region,
  needle: Buffer,
  budget: Budget,
  limit = 64,
): AsyncGenerator<number> {
  let found = 0;
  for (let start = 0; start < region.size; start += CHUNK) {
    const len = Math.min(region.size - start, CHUNK + needle.length - 1);
    if (len < needle.length || len > budget.left) return;
    budget.left -= len;
    const chunk = await readAt(src, region.offset + start, len, `the ${region.name} region`);
    for (let at = chunk.indexOf(needle); at >= 0; at = chunk.indexOf(needle, at + 1)) {
      if (at >= CHUNK) break; // the next chunk finds it again
      yield start + at;
      if (++found >= limit) return;
    }
  }
}

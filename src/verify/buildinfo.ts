// Finds and decodes Go build info (HEADERS.md §5): the `\xff Go buildinf:` blob in the data section the
// container names, in the inline-string form of Go ≥ 1.18 or the pointer form of older Go, with a fallback
// to the sentinel-framed module info string for wasm and for files without the blob.
import { View } from './binary.js';
import type { Mapping, Region } from './regions.js';
import type { Budget } from './regions.js';
import { coveredBytes, findAll, vaddrToOffset } from './regions.js';
import type { ByteSource } from './source.js';
import { readAt } from './source.js';

export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
export const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
export const INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

const HEADER_SIZE = 32;
const MAX_VERSION = 1024;
const MAX_MODINFO = 4 * 1024 * 1024;
const CHUNK_SLACK = 4 * 1024 * 1024;

export interface RawBuildInfo {
  goVersion: string | null;
  /** The module info text without its sentinels; '' when the binary carries none (GOPATH-less old builds). */
  modinfo: string;
}

export interface BuildInfoPlaces {
  /** Where the blob should be, best first. */
  preferred: Region[];
  /** Everything loaded, for the sentinel fallback. */
  loaded: Region[];
  maps: Mapping[];
  /** A version found elsewhere (wasm's producers section), used with the sentinel fallback. */
  knownVersion?: string | null;
}

export async function readBuildInfo(src: ByteSource, places: BuildInfoPlaces): Promise<RawBuildInfo | null> {
  // Every byte the headers point at is searched at most twice (for the blob, then the sentinels), however
  // often hostile tables list it; never in proportion to the file's size.
  const budget: Budget = { left: 2 * coveredBytes([...places.preferred, ...places.loaded]) + CHUNK_SLACK };
  for (const region of places.preferred) {
    for await (const rel of findAll(src, region, BUILDINFO_MAGIC, budget)) {
      // The linker aligns the blob to 16 bytes in memory; an unaligned match is some other data.
      if (((region.vaddr ?? 0) + rel) % 16 !== 0) continue;
      const found = await decodeBlob(src, region.offset + rel, region.offset + region.size, places.maps);
      if (found) return found;
    }
  }
  for (const region of places.loaded) {
    const modinfo = await findFramedModinfo(src, region, budget);
    if (modinfo !== null) return { goVersion: places.knownVersion ?? null, modinfo };
  }
  return null;
}

async function decodeBlob(
  src: ByteSource,
  at: number,
  end: number,
  maps: Mapping[],
): Promise<RawBuildInfo | null> {
  if (at + HEADER_SIZE > end) return null;
  const hdr = await readAt(src, at, HEADER_SIZE, 'the build info header');
  const ptrSize = hdr[14] ?? 0;
  const flags = hdr[15] ?? 0;
  if ((ptrSize !== 4 && ptrSize !== 8) || (flags & ~3) !== 0) return null;
  let version: Buffer | null;
  let mod: Buffer | null;
  if (flags & 2) {
    const v = await readVarString(src, at + HEADER_SIZE, end, MAX_VERSION);
    if (!v) return null;
    version = v.value;
    mod = (await readVarString(src, v.next, end, MAX_MODINFO))?.value ?? null;
  } else {
    const endian = flags & 1 ? 'big' : 'little';
    const ptr = (b: Buffer, o: number): number =>
      new View(b, endian, 'a pointer').word(o, ptrSize === 8 ? 64 : 32);
    const goString = async (addr: number, max: number): Promise<Buffer | null> => {
      const hAt = vaddrToOffset(maps, addr, 2 * ptrSize);
      if (hAt === null) return null;
      const h = await readAt(src, hAt, 2 * ptrSize, 'a Go string header');
      const len = ptr(h, ptrSize);
      if (len > max) return null;
      const dAt = vaddrToOffset(maps, ptr(h, 0), len);
      return dAt === null ? null : readAt(src, dAt, len, 'a Go string');
    };
    version = await goString(ptr(hdr, 16), MAX_VERSION);
    mod = await goString(ptr(hdr, 16 + ptrSize), MAX_MODINFO);
  }
  if (!version || version.length === 0) return null;
  return { goVersion: version.toString('utf8'), modinfo: unframe(mod) };
}

/** debug/buildinfo's rule: strip the 16-byte sentinels when the text is long enough and framed by a newline. */
function unframe(mod: Buffer | null): string {
  if (!mod || mod.length < 33 || mod[mod.length - 17] !== 0x0a) return '';
  return mod.subarray(16, mod.length - 16).toString('utf8');
}

/** uvarint length + bytes, entirely before `end`. */
async function readVarString(
  src: ByteSource,
  at: number,
  end: number,
  max: number,
): Promise<{ value: Buffer; next: number } | null> {
  const head = await readAt(src, at, Math.max(0, Math.min(10, end - at)), 'a build info string length');
  let len = 0;
  let n = 0;
  for (; n < head.length; n++) {
    const b = head[n] ?? 0;
    len += (b & 0x7f) * 2 ** (7 * n);
    if ((b & 0x80) === 0) break;
  }
  if (n >= head.length || len > max || at + n + 1 + len > end) return null;
  return { value: await readAt(src, at + n + 1, len, 'a build info string'), next: at + n + 1 + len };
}

async function findFramedModinfo(src: ByteSource, region: Region, budget: Budget): Promise<string | null> {
  for await (const rel of findAll(src, region, INFO_START, budget, 4)) {
    const start = rel + INFO_START.length;
    const rest: Region = {
      name: region.name,
      offset: region.offset + start,
      size: Math.min(region.size - start, MAX_MODINFO),
      vaddr: null,
    };
    for await (const endRel of findAll(src, rest, INFO_END, budget, 1)) {
      return (await readAt(src, rest.offset, endRel, 'the module info')).toString('utf8');
    }
  }
  return null;
}

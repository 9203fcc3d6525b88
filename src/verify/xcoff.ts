// XCOFF64 (AIX) reader: file header, section table and the loader section's import file list.
import { View, cstring, fixedName } from './binary.js';
import type { Mapping, Region } from './regions.js';
import type { ByteSource } from './source.js';
import { FormatError, checkRange, readAt } from './source.js';

export interface XcoffInfo {
  kind: 'xcoff';
  magic: number;
  flags: number;
  /** Import files named by the loader section, `libc.a(shr_64.o)` style. */
  imports: string[];
  buildinfo: Region[];
  loaded: Region[];
  maps: Mapping[];
}

export const XCOFF64_MAGIC = 0x01f7;
export const XCOFF32_MAGIC = 0x01df;
const STYP_DATA = 0x40;
const STYP_BSS = 0x80;
const STYP_LOADER = 0x1000;
const MAX_SECTIONS = 1024;
const MAX_IMPORT_IDS = 1024;
const SYMBOL_SIZE = 18;
const LOADER_SYMBOL_SIZE = 24;
const LOADER_RELOC_SIZE = 16;

export function isXcoff(head: Buffer): boolean {
  return (
    head.length >= 2 && (head.readUInt16BE(0) === XCOFF64_MAGIC || head.readUInt16BE(0) === XCOFF32_MAGIC)
  );
}

export async function readXcoff(src: ByteSource): Promise<XcoffInfo> {
  const h = new View(await readAt(src, 0, 24, 'the XCOFF header'), 'big', 'the XCOFF header');
  const magic = h.u16(0);
  if (magic !== XCOFF64_MAGIC) throw new FormatError('a 32-bit XCOFF file: no Go target produces one');
  const nscns = h.u16(2);
  const opthdr = h.u16(16);
  const flags = h.u16(18);
  if (nscns > MAX_SECTIONS) throw new FormatError(`the XCOFF header claims ${nscns} sections`);
  const what = 'the XCOFF section table';
  const sv = new View(await readAt(src, 24 + opthdr, nscns * 72, what), 'big', what);
  const sections: (Region & { flags: number })[] = [];
  for (let i = 0; i < nscns; i++) {
    const b = i * 72;
    const s = {
      name: `${fixedName(sv.buf, b, 8)} section`,
      vaddr: sv.u64(b + 16),
      size: sv.u64(b + 24),
      offset: sv.u64(b + 32),
      flags: sv.u32(b + 64),
    };
    if ((s.flags & STYP_BSS) === 0 && s.offset !== 0)
      checkRange(src.size, s.offset, s.size, `XCOFF ${s.name}`);
    sections.push(s);
  }
  await checkSymbols(src, h.u64(8), h.u32(20));
  const loader = sections.find((s) => (s.flags & STYP_LOADER) !== 0 && s.offset !== 0);
  const imports = loader ? await readLoaderImports(src, loader) : [];
  const loaded = sections.filter((s) => (s.flags & STYP_BSS) === 0 && s.offset !== 0 && s.size > 0);
  const data = loaded.filter((s) => (s.flags & STYP_DATA) !== 0);
  return {
    kind: 'xcoff',
    magic,
    flags,
    imports,
    buildinfo: data,
    loaded,
    maps: loaded.map((s) => ({ vaddr: s.vaddr ?? 0, offset: s.offset, size: s.size })),
  };
}

/**
 * The symbol table and the string table after it end the file (Go writes them after the last section), and
 * XCOFF64 keeps every symbol name in that string table: a download cut after the sections loses them.
 */
async function checkSymbols(src: ByteSource, symptr: number, nsyms: number): Promise<void> {
  if (nsyms === 0) return;
  checkRange(src.size, symptr, nsyms * SYMBOL_SIZE, 'the XCOFF symbol table');
  const strings = symptr + nsyms * SYMBOL_SIZE;
  const what = 'the XCOFF string table';
  // Its first word is its length, the word included.
  const length = (await readAt(src, strings, 4, `${what} length`)).readUInt32BE(0);
  if (length < 4) throw new FormatError(`${what} length ${length} is smaller than the length word itself`);
  checkRange(src.size, strings, length, what);
}

/** The loader header's import file ID strings: triples path\0base\0member\0, the first being the LIBPATH. */
async function readLoaderImports(src: ByteSource, loader: Region): Promise<string[]> {
  const lh = new View(
    await readAt(src, loader.offset, Math.min(56, loader.size), 'the XCOFF loader header'),
    'big',
    'the XCOFF loader header',
  );
  const nsyms = lh.u32(4);
  const nreloc = lh.u32(8);
  const istlen = lh.u32(12);
  const nimpid = lh.u32(16);
  const impoff = lh.u64(24);
  if (nimpid > MAX_IMPORT_IDS)
    throw new FormatError(`the XCOFF loader section claims ${nimpid} import files`);
  // Every table the loader header places must lie inside the loader section.
  const tables: [string, number, number][] = [
    ['import file table', impoff, istlen],
    ['string table', lh.u64(32), lh.u32(20)],
    ['symbol table', lh.u64(40), nsyms * LOADER_SYMBOL_SIZE],
    ['relocation table', lh.u64(48), nreloc * LOADER_RELOC_SIZE],
  ];
  for (const [name, off, len] of tables)
    if (len > 0 && off + len > loader.size)
      throw new FormatError(`the XCOFF loader ${name} runs past the loader section`);
  const table = await readAt(
    src,
    loader.offset + impoff,
    Math.min(istlen, 1024 * 1024),
    'the XCOFF import file table',
  );
  const out: string[] = [];
  let at = 0;
  const next = (): string => {
    const s = cstring(table, at, 1024);
    at += Buffer.byteLength(s, 'latin1') + 1;
    return s;
  };
  for (let i = 0; i < nimpid && at < table.length; i++) {
    const path = next();
    const base = next();
    const member = next();
    if (i === 0) continue;
    const file = path ? `${path}/${base}` : base;
    out.push(member ? `${file}(${member})` : file);
  }
  return out;
}

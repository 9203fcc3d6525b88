// PE (PE32 / PE32+) reader: machine, optional-header kind, subsystem and the DLLs the import table names.
import { View, cstring, fixedName } from './binary.js';
import type { Mapping, Region } from './regions.js';
import type { ByteSource } from './source.js';
import { FormatError, checkRange, readAt } from './source.js';

export interface PeInfo {
  kind: 'pe';
  machine: number;
  /** 0x10b PE32, 0x20b PE32+ */
  magic: number;
  characteristics: number;
  subsystem: number;
  /** Major/MinorOperatingSystemVersion, e.g. '6.1'. */
  osVersion: string;
  /** Major/MinorSubsystemVersion, e.g. '10.0': the loader refuses an image that asks for a newer Windows. */
  subsystemVersion: string;
  imports: string[];
  /** What the Authenticode image hash leaves out: the CheckSum field, the Certificate Table directory entry
   *  (null when the optional header has none) and the table it points at (a file offset; null when empty). */
  authenticode: {
    checksumAt: number;
    entryAt: number | null;
    table: { offset: number; size: number } | null;
  };
  buildinfo: Region[];
  loaded: Region[];
  maps: Mapping[];
}

const IMAGE_SCN_MEM_WRITE = 0x80000000;
// The Windows loader refuses images with more sections than this.
const MAX_SECTIONS = 96;
const MAX_IMPORTS = 1024;

interface Section {
  name: string;
  vaddr: number;
  vsize: number;
  rawSize: number;
  rawOffset: number;
  flags: number;
}

export function isPe(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a;
}

export async function readPe(src: ByteSource): Promise<PeInfo> {
  const dos = new View(await readAt(src, 0, 64, 'the MS-DOS header'), 'little', 'the MS-DOS header');
  const lfanew = dos.u32(0x3c);
  const sig = await readAt(src, lfanew, 24, 'the PE signature and COFF header');
  if (sig.readUInt32BE(0) !== 0x50450000)
    throw new FormatError('an MZ file without a PE signature (MS-DOS program?)');
  const coff = new View(sig, 'little', 'the COFF header');
  const machine = coff.u16(4);
  const nsections = coff.u16(6);
  const optSize = coff.u16(20);
  const characteristics = coff.u16(22);
  if (nsections > MAX_SECTIONS) throw new FormatError(`the PE header claims ${nsections} sections`);
  const optAt = lfanew + 24;
  const opt = new View(
    await readAt(src, optAt, optSize, 'the PE optional header'),
    'little',
    'the PE optional header',
  );
  const magic = opt.u16(0);
  if (magic !== 0x10b && magic !== 0x20b)
    throw new FormatError(`unknown PE optional header magic 0x${magic.toString(16)}`);
  const plus = magic === 0x20b;
  const imageBase = plus ? opt.u64(24) : opt.u32(28);
  const subsystem = opt.u16(68);
  // The same offsets in PE32 and PE32+: the wider ImageBase only absorbs PE32's BaseOfData.
  const osVersion = `${opt.u16(40)}.${opt.u16(42)}`;
  const subsystemVersion = `${opt.u16(48)}.${opt.u16(50)}`;
  const ndirs = opt.u32(plus ? 108 : 92);
  const dirsAt = plus ? 112 : 96;
  if (ndirs > 16 || dirsAt + ndirs * 8 > optSize)
    throw new FormatError('the PE data directories do not fit the optional header');

  const secAt = optAt + optSize;
  const sv = new View(
    await readAt(src, secAt, nsections * 40, 'the PE section table'),
    'little',
    'the PE section table',
  );
  const sections: Section[] = [];
  for (let i = 0; i < nsections; i++) {
    const b = i * 40;
    const s: Section = {
      name: fixedName(sv.buf, b, 8),
      vsize: sv.u32(b + 8),
      vaddr: sv.u32(b + 12),
      rawSize: sv.u32(b + 16),
      rawOffset: sv.u32(b + 20),
      flags: sv.u32(b + 36),
    };
    if (s.rawSize > 0) checkRange(src.size, s.rawOffset, s.rawSize, `PE section ${i} (${s.name})`);
    sections.push(s);
  }
  // Only the file-backed part of a section can be read; past it the loader zero-fills.
  const fileSize = (s: Section): number => (s.vsize > 0 ? Math.min(s.vsize, s.rawSize) : s.rawSize);
  const rvaToOffset = (rva: number, len: number): number | null => {
    for (const s of sections) {
      if (rva >= s.vaddr && rva + len <= s.vaddr + fileSize(s)) return s.rawOffset + (rva - s.vaddr);
    }
    return null;
  };

  const imports: string[] = [];
  if (ndirs > 1) {
    const rva = opt.u32(dirsAt + 8);
    if (rva !== 0) await readImports(src, rva, rvaToOffset, imports);
  }

  // Data directory 4, the Certificate Table, holds a file offset, not an RVA: it is not loaded.
  const entryAt = ndirs > 4 ? dirsAt + 4 * 8 : null;
  const tableOffset = entryAt === null ? 0 : opt.u32(entryAt);
  const tableSize = entryAt === null ? 0 : opt.u32(entryAt + 4);
  const authenticode = {
    checksumAt: optAt + 64,
    entryAt: entryAt === null ? null : optAt + entryAt,
    table: tableOffset === 0 || tableSize === 0 ? null : { offset: tableOffset, size: tableSize },
  };

  const region = (s: Section): Region => ({
    name: `${s.name} section`,
    offset: s.rawOffset,
    size: fileSize(s),
    vaddr: imageBase + s.vaddr,
  });
  const data = sections.filter((s) => s.name === '.data');
  const writable = sections.filter((s) => (s.flags & IMAGE_SCN_MEM_WRITE) !== 0);
  const loaded = sections.filter((s) => s.rawSize > 0).map(region);
  return {
    kind: 'pe',
    machine,
    magic,
    characteristics,
    subsystem,
    osVersion,
    subsystemVersion,
    imports,
    authenticode,
    buildinfo: (data.length > 0 ? data : writable).map(region),
    loaded,
    maps: loaded.map((r) => ({ vaddr: r.vaddr ?? 0, offset: r.offset, size: r.size })),
  };
}

async function readImports(
  src: ByteSource,
  rva: number,
  rvaToOffset: (rva: number, len: number) => number | null,
  out: string[],
): Promise<void> {
  for (let i = 0; ; i++) {
    if (i >= MAX_IMPORTS) throw new FormatError('the PE import directory does not end');
    const at = rvaToOffset(rva + i * 20, 20);
    if (at === null) throw new FormatError('the PE import directory is not inside any section');
    const d = new View(
      await readAt(src, at, 20, 'a PE import descriptor'),
      'little',
      'a PE import descriptor',
    );
    const nameRva = d.u32(12);
    if (nameRva === 0 && d.u32(16) === 0 && d.u32(0) === 0) return;
    const nameAt = rvaToOffset(nameRva, 1);
    if (nameAt === null) throw new FormatError('a PE import names a DLL outside every section');
    const raw = await readAt(src, nameAt, Math.min(256, src.size - nameAt), 'a PE import name');
    out.push(cstring(raw, 0, 256));
  }
}

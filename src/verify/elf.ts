// ELF reader: the identity fields, what the dynamic linker will need, and where Go's build info lives.
import type { Endian } from './binary.js';
import { View, cstring } from './binary.js';
import type { Mapping, Region } from './regions.js';
import { vaddrToOffset } from './regions.js';
import type { ByteSource } from './source.js';
import { FormatError, checkRange, readAt } from './source.js';

export interface ElfNote {
  owner: string;
  type: number;
  /** The first bytes of the descriptor (at most 64). */
  desc: Buffer;
}

export interface ElfInfo {
  kind: 'elf';
  bits: 32 | 64;
  endian: Endian;
  osabi: number;
  type: number;
  machine: number;
  flags: number;
  interpreter: string | null;
  needed: string[];
  /** Every version name the file requires from its libraries (`.gnu.version_r`), e.g. GLIBC_2.34. */
  versions: string[];
  notes: ElfNote[];
  gnuStack: boolean;
  paxFlags: boolean;
  sunwStack: boolean;
  /** `.MIPS.abiflags` fp_abi: 1 hard float (double), 3 soft float. */
  mipsFpAbi: number | null;
  buildinfo: Region[];
  loaded: Region[];
  maps: Mapping[];
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PT_NOTE = 4;
const PT_GNU_STACK = 0x6474e551;
const PT_PAX_FLAGS = 0x65041580;
const PT_SUNWSTACK = 0x6ffffffb;
const PT_MIPS_ABIFLAGS = 0x70000003;
const PF_W = 2;
const SHT_NULL = 0;
const SHT_NOBITS = 8;
const SHF_WRITE = 1;
const SHF_ALLOC = 2;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;

// Real executables have a few dozen of each; the caps only bound hostile input.
const MAX_PHDRS = 4096;
const MAX_SECTIONS = 65536;
const MAX_NOTES = 256;
const MAX_DYN = 65536;
const MAX_NEEDED = 1024;
const MAX_VERNEED = 1024;

interface Phdr {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  align: number;
}

interface Shdr {
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
  addr: number;
}

export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32BE(0) === 0x7f454c46;
}

export async function readElf(src: ByteSource): Promise<ElfInfo> {
  const ident = await readAt(src, 0, 16, 'the ELF identification');
  const cls = ident[4];
  const data = ident[5];
  if (cls !== 1 && cls !== 2) throw new FormatError(`ELF class ${cls} is neither 32-bit (1) nor 64-bit (2)`);
  if (data !== 1 && data !== 2)
    throw new FormatError(`ELF data encoding ${data} is neither LSB (1) nor MSB (2)`);
  const bits = cls === 1 ? 32 : 64;
  const endian: Endian = data === 1 ? 'little' : 'big';
  const w = bits / 8;
  const h = new View(await readAt(src, 0, bits === 64 ? 64 : 52, 'the ELF header'), endian, 'the ELF header');
  const type = h.u16(16);
  const machine = h.u16(18);
  const phoff = h.word(24 + w, bits);
  const shoff = h.word(24 + 2 * w, bits);
  const flags = h.u32(24 + 3 * w);
  const at = 28 + 3 * w; // e_ehsize
  const phentsize = h.u16(at + 2);
  const phnum = h.u16(at + 4);
  const shentsize = h.u16(at + 6);
  let shnum = h.u16(at + 8);
  let shstrndx = h.u16(at + 10);

  const phdrs = await readPhdrs(src, endian, bits, phoff, phnum, phentsize);
  // Extended numbering: with 0 (or SHN_XINDEX) in the header, the real values sit in section 0.
  if (shoff !== 0 && (shnum === 0 || shstrndx === 0xffff)) {
    if (shentsize < (bits === 64 ? 64 : 40))
      throw new FormatError(`ELF section header size ${shentsize} is too small`);
    const s0 = new View(
      await readAt(src, shoff, shentsize, 'ELF section header 0'),
      endian,
      'ELF section header 0',
    );
    if (shnum === 0) shnum = s0.word(bits === 64 ? 32 : 20, bits);
    if (shstrndx === 0xffff) shstrndx = s0.u32(bits === 64 ? 44 : 28);
  }
  const shdrs = await readShdrs(src, endian, bits, shoff, shnum, shentsize, shstrndx);

  const maps: Mapping[] = phdrs
    .filter((p) => p.type === PT_LOAD && p.filesz > 0)
    .map((p) => ({ vaddr: p.vaddr, offset: p.offset, size: p.filesz }));
  const has = (t: number): boolean => phdrs.some((p) => p.type === t);

  const interpHdr = phdrs.find((p) => p.type === PT_INTERP);
  let interpreter: string | null = null;
  if (interpHdr) {
    const raw = await readAt(src, interpHdr.offset, Math.min(interpHdr.filesz, 4096), 'the ELF interpreter');
    interpreter = cstring(raw, 0);
  }

  const notes: ElfNote[] = [];
  for (const p of phdrs.filter((q) => q.type === PT_NOTE)) {
    const buf = await readAt(src, p.offset, Math.min(p.filesz, 64 * 1024), 'an ELF note segment');
    parseNotes(buf, endian, p.align === 8 ? 8 : 4, notes);
  }

  let needed: string[] = [];
  let versions: string[] = [];
  const dyn = phdrs.find((p) => p.type === PT_DYNAMIC);
  if (dyn) ({ needed, versions } = await readDynamic(src, endian, bits, dyn, maps));

  let mipsFpAbi: number | null = null;
  const abiflags = phdrs.find((p) => p.type === PT_MIPS_ABIFLAGS);
  if (abiflags && abiflags.filesz >= 8) {
    mipsFpAbi = (await readAt(src, abiflags.offset + 7, 1, 'the MIPS ABI flags'))[0] ?? null;
  }

  const regions = (list: Phdr[], name: string): Region[] =>
    list.map((p) => ({ name, offset: p.offset, size: p.filesz, vaddr: p.vaddr }));
  const sectionRegions = (list: Shdr[]): Region[] =>
    list.map((x) => ({
      name: `${x.name || 'unnamed'} section`,
      offset: x.offset,
      size: x.size,
      vaddr: x.addr,
    }));
  const loads = phdrs.filter((p) => p.type === PT_LOAD && p.filesz > 0);
  // The sections that hold loaded bytes bound every search: a PT_LOAD can claim far more of the file than
  // any data (a sparse 4 GiB file), and only a file without a section table is searched by its segments.
  const held = shdrs.filter(
    (x) => x.type !== SHT_NOBITS && x.type !== SHT_NULL && (x.flags & SHF_ALLOC) !== 0 && x.size > 0,
  );
  const section = shdrs.find((s) => s.name === '.go.buildinfo' && s.type !== SHT_NOBITS);
  const buildinfo = section
    ? [{ name: '.go.buildinfo section', offset: section.offset, size: section.size, vaddr: section.addr }]
    : held.length > 0
      ? sectionRegions(held.filter((x) => (x.flags & SHF_WRITE) !== 0))
      : regions(
          loads.filter((p) => (p.flags & PF_W) !== 0),
          'writable PT_LOAD segment',
        );

  return {
    kind: 'elf',
    bits,
    endian,
    osabi: ident[7] ?? 0,
    type,
    machine,
    flags,
    interpreter,
    needed,
    versions,
    notes,
    gnuStack: has(PT_GNU_STACK),
    paxFlags: has(PT_PAX_FLAGS),
    sunwStack: has(PT_SUNWSTACK),
    mipsFpAbi,
    buildinfo,
    loaded: held.length > 0 ? sectionRegions(held) : regions(loads, 'PT_LOAD segment'),
    maps,
  };
}

async function readPhdrs(
  src: ByteSource,
  endian: Endian,
  bits: 32 | 64,
  phoff: number,
  phnum: number,
  phentsize: number,
): Promise<Phdr[]> {
  if (phnum === 0) return [];
  if (phnum > MAX_PHDRS) throw new FormatError(`the ELF header claims ${phnum} program headers`);
  if (phentsize < (bits === 64 ? 56 : 32))
    throw new FormatError(`ELF program header size ${phentsize} is too small`);
  const what = 'the ELF program header table';
  const v = new View(await readAt(src, phoff, phnum * phentsize, what), endian, what);
  const out: Phdr[] = [];
  for (let i = 0; i < phnum; i++) {
    const b = i * phentsize;
    const p: Phdr =
      bits === 64
        ? {
            type: v.u32(b),
            flags: v.u32(b + 4),
            offset: v.u64(b + 8),
            vaddr: v.u64(b + 16),
            filesz: v.u64(b + 32),
            align: v.u64(b + 48),
          }
        : {
            type: v.u32(b),
            offset: v.u32(b + 4),
            vaddr: v.u32(b + 8),
            filesz: v.u32(b + 16),
            flags: v.u32(b + 24),
            align: v.u32(b + 28),
          };
    checkRange(src.size, p.offset, p.filesz, `ELF program header ${i} (type 0x${p.type.toString(16)})`);
    out.push(p);
  }
  return out;
}

async function readShdrs(
  src: ByteSource,
  endian: Endian,
  bits: 32 | 64,
  shoff: number,
  shnum: number,
  shentsize: number,
  shstrndx: number,
): Promise<Shdr[]> {
  if (shnum === 0 || shoff === 0) return [];
  if (shnum > MAX_SECTIONS) throw new FormatError(`the ELF header claims ${shnum} sections`);
  if (shentsize < (bits === 64 ? 64 : 40))
    throw new FormatError(`ELF section header size ${shentsize} is too small`);
  const what = 'the ELF section header table';
  const v = new View(await readAt(src, shoff, shnum * shentsize, what), endian, what);
  const raw: (Shdr & { nameOff: number })[] = [];
  for (let i = 0; i < shnum; i++) {
    const b = i * shentsize;
    const s =
      bits === 64
        ? {
            nameOff: v.u32(b),
            type: v.u32(b + 4),
            flags: v.u64(b + 8),
            addr: v.u64(b + 16),
            offset: v.u64(b + 24),
            size: v.u64(b + 32),
          }
        : {
            nameOff: v.u32(b),
            type: v.u32(b + 4),
            flags: v.u32(b + 8),
            addr: v.u32(b + 12),
            offset: v.u32(b + 16),
            size: v.u32(b + 20),
          };
    if (s.type !== SHT_NOBITS && s.type !== SHT_NULL)
      checkRange(src.size, s.offset, s.size, `ELF section ${i}`);
    raw.push({ ...s, name: '' });
  }
  if (shstrndx === 0) return raw;
  const strtab = raw[shstrndx];
  if (!strtab || strtab.type === SHT_NOBITS) {
    throw new FormatError(`the ELF section name table index ${shstrndx} is not a section`);
  }
  // Section names are only needed to find .go.buildinfo, which comes early in real string tables.
  const names = await readAt(
    src,
    strtab.offset,
    Math.min(strtab.size, 1024 * 1024),
    'the ELF section name table',
  );
  for (const s of raw) s.name = cstring(names, s.nameOff, 256);
  return raw;
}

function parseNotes(buf: Buffer, endian: Endian, align: number, out: ElfNote[]): void {
  const v = new View(buf, endian, 'an ELF note');
  const pad = (n: number): number => Math.ceil(n / align) * align;
  for (let p = 0; p + 12 <= buf.length && out.length < MAX_NOTES;) {
    const namesz = v.u32(p);
    const descsz = v.u32(p + 4);
    const type = v.u32(p + 8);
    // The descriptor starts aligned relative to the note (matters for 8-byte aligned .note.gnu.property).
    const descAt = p + pad(12 + namesz);
    if (descAt + descsz > buf.length)
      throw new FormatError('truncated or corrupt: an ELF note runs past its segment');
    const owner = cstring(buf, p + 12, Math.min(namesz, 256));
    out.push({ owner, type, desc: Buffer.from(buf.subarray(descAt, descAt + Math.min(descsz, 64))) });
    p = pad(descAt + descsz);
  }
}

async function readDynamic(
  src: ByteSource,
  endian: Endian,
  bits: 32 | 64,
  dyn: Phdr,
  maps: Mapping[],
): Promise<{ needed: string[]; versions: string[] }> {
  const entsize = bits === 64 ? 16 : 8;
  const count = Math.min(Math.floor(dyn.filesz / entsize), MAX_DYN);
  const v = new View(
    await readAt(src, dyn.offset, count * entsize, 'the ELF dynamic section'),
    endian,
    'PT_DYNAMIC',
  );
  const neededOffsets: number[] = [];
  let strtab: number | null = null;
  let strsz = 0;
  let verneed: number | null = null;
  let verneednum = 0;
  for (let i = 0; i < count; i++) {
    const tag = bits === 64 ? v.i64(i * entsize) : v.u32(i * entsize);
    const val = v.word(i * entsize + entsize / 2, bits);
    if (tag === DT_NULL) break;
    if (tag === DT_NEEDED && neededOffsets.length < MAX_NEEDED) neededOffsets.push(val);
    else if (tag === DT_STRTAB) strtab = val;
    else if (tag === DT_STRSZ) strsz = val;
    else if (tag === DT_VERNEED) verneed = val;
    else if (tag === DT_VERNEEDNUM) verneednum = val;
  }
  if (neededOffsets.length === 0 && verneed === null) return { needed: [], versions: [] };
  if (strtab === null)
    throw new FormatError('the ELF dynamic section names libraries but has no string table');
  const strOff = vaddrToOffset(maps, strtab, strsz);
  if (strOff === null) throw new FormatError('the ELF dynamic string table is not inside any loaded segment');
  const strings = await readAt(
    src,
    strOff,
    Math.min(strsz, 16 * 1024 * 1024),
    'the ELF dynamic string table',
  );
  const str = (off: number, what: string): string => {
    if (off >= strings.length) throw new FormatError(`${what} points past the dynamic string table`);
    return cstring(strings, off, 1024);
  };
  const needed = neededOffsets.map((o) => str(o, 'a DT_NEEDED entry'));
  const versions: string[] = [];
  if (verneed !== null) await readVerneed(src, endian, maps, verneed, verneednum, str, versions);
  return { needed, versions };
}

/** Walks Elf_Verneed / Elf_Vernaux (16 bytes each in both classes) collecting the version names. */
async function readVerneed(
  src: ByteSource,
  endian: Endian,
  maps: Mapping[],
  addr: number,
  num: number,
  str: (off: number, what: string) => string,
  out: string[],
): Promise<void> {
  const rec = async (a: number, what: string): Promise<View> => {
    const off = vaddrToOffset(maps, a, 16);
    if (off === null) throw new FormatError(`${what} is not inside any loaded segment`);
    return new View(await readAt(src, off, 16, what), endian, what);
  };
  let visited = 0;
  for (let i = 0, vn = addr; i < Math.min(num, MAX_VERNEED); i++) {
    const need = await rec(vn, 'an ELF version requirement');
    const cnt = need.u16(2);
    for (let j = 0, aux = vn + need.u32(8); j < cnt; j++) {
      if (++visited > MAX_VERNEED) throw new FormatError('the ELF version requirements do not end');
      const a = await rec(aux, 'an ELF version requirement entry');
      out.push(str(a.u32(8), 'an ELF version name'));
      const next = a.u32(12);
      if (next === 0) break;
      aux += next;
    }
    const next = need.u32(12);
    if (next === 0) break;
    vn += next;
  }
}

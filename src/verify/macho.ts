// Mach-O reader: thin 32/64-bit files in either byte order, and universal (fat) files as a list of slices.
import type { Endian } from './binary.js';
import { View, cstring, fixedName } from './binary.js';
import type { Mapping, Region } from './regions.js';
import type { ByteSource } from './source.js';
import { FormatError, checkRange, readAt } from './source.js';

export interface MachoInfo {
  kind: 'macho';
  bits: 32 | 64;
  endian: Endian;
  cputype: number;
  cpusubtype: number;
  filetype: number;
  flags: number;
  /** LC_BUILD_VERSION platform, or the platform an LC_VERSION_MIN_* command implies; null without either. */
  platform: number | null;
  /** Minimum OS version as `major.minor.patch`. */
  minos: string | null;
  /** The load command `minos` came from: 'LC_BUILD_VERSION minos' or e.g. 'LC_VERSION_MIN_MACOSX version'. */
  minosSource: string | null;
  dylinker: string | null;
  dylibs: string[];
  /** LC_CODE_SIGNATURE's `dataoff` and `datasize`: where the embedded signature lies; null without one. */
  codeSignature: { offset: number; size: number } | null;
  buildinfo: Region[];
  loaded: Region[];
  maps: Mapping[];
}

export interface FatSlice {
  cputype: number;
  cpusubtype: number;
  offset: number;
  size: number;
  align: number;
}

const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;
const LC_LOAD_DYLINKER = 0xe;
const LC_BUILD_VERSION = 0x32;
const LC_CODE_SIGNATURE = 0x1d;
const DYLIB_COMMANDS = new Set([0xc, 0x20, 0x80000018, 0x8000001f, 0x80000023]);
// Older linkers record the minimum OS in one LC_VERSION_MIN_* command per platform instead.
const VERSION_MIN: Record<number, { platform: number; name: string }> = {
  0x24: { platform: 1, name: 'LC_VERSION_MIN_MACOSX' },
  0x25: { platform: 2, name: 'LC_VERSION_MIN_IPHONEOS' },
  0x2f: { platform: 3, name: 'LC_VERSION_MIN_TVOS' },
  0x30: { platform: 4, name: 'LC_VERSION_MIN_WATCHOS' },
};

/** The platforms a Go target can name (LC_BUILD_VERSION platform → GOOS and the system's own name). */
export const MACHO_PLATFORMS: Record<number, { os: string; name: string }> = {
  1: { os: 'darwin', name: 'macOS' },
  2: { os: 'ios', name: 'iOS' },
  6: { os: 'ios', name: 'Mac Catalyst' },
  7: { os: 'ios', name: 'iOS simulator' },
};
const ZEROFILL = new Set([0x1, 0xc, 0x12]);
const VM_PROT_WRITE = 2;
const MAX_CMDS_BYTES = 16 * 1024 * 1024;
const MAX_FAT_ARCHS = 64;

const THIN: Record<number, { bits: 32 | 64; endian: Endian }> = {
  0xfeedface: { bits: 32, endian: 'big' },
  0xfeedfacf: { bits: 64, endian: 'big' },
  0xcefaedfe: { bits: 32, endian: 'little' },
  0xcffaedfe: { bits: 64, endian: 'little' },
};

export function isMacho(head: Buffer): boolean {
  return head.length >= 4 && THIN[head.readUInt32BE(0)] !== undefined;
}

export function isFat(head: Buffer): boolean {
  return head.length >= 4 && (head.readUInt32BE(0) === 0xcafebabe || head.readUInt32BE(0) === 0xcafebabf);
}

export async function readFat(src: ByteSource): Promise<FatSlice[]> {
  const h = new View(await readAt(src, 0, 8, 'the universal header'), 'big', 'the universal header');
  const is64 = h.u32(0) === 0xcafebabf;
  const n = h.u32(4);
  // Java class files share the 0xcafebabe magic; their "count" is a class-file version, far above this.
  if (n === 0 || n > MAX_FAT_ARCHS) throw new FormatError(`the universal header claims ${n} architectures`);
  const entsize = is64 ? 32 : 20;
  const v = new View(
    await readAt(src, 8, n * entsize, 'the universal architecture table'),
    'big',
    'fat_arch',
  );
  const slices: FatSlice[] = [];
  for (let i = 0; i < n; i++) {
    const b = i * entsize;
    const s: FatSlice = is64
      ? {
          cputype: v.u32(b),
          cpusubtype: v.u32(b + 4),
          offset: v.u64(b + 8),
          size: v.u64(b + 16),
          align: v.u32(b + 24),
        }
      : {
          cputype: v.u32(b),
          cpusubtype: v.u32(b + 4),
          offset: v.u32(b + 8),
          size: v.u32(b + 12),
          align: v.u32(b + 16),
        };
    checkRange(src.size, s.offset, s.size, `universal slice ${i}`);
    if (s.offset < 8 + n * entsize)
      throw new FormatError(`universal slice ${i} overlaps the universal header`);
    if (s.align > 30 || s.offset % 2 ** s.align !== 0) {
      throw new FormatError(`universal slice ${i} is not aligned to 2^${s.align}`);
    }
    for (const o of slices) {
      if (s.offset < o.offset + o.size && o.offset < s.offset + s.size) {
        throw new FormatError(`universal slice ${i} overlaps another slice`);
      }
    }
    slices.push(s);
  }
  return slices;
}

/** A section's bytes, and whether its segment is writable (where older Go put the build info). */
type Held = Region & { writable: boolean };

interface Segment {
  name: string;
  vmaddr: number;
  fileoff: number;
  filesize: number;
  writable: boolean;
}

export async function readMacho(src: ByteSource): Promise<MachoInfo> {
  const head = await readAt(src, 0, 4, 'the Mach-O magic');
  const kind = THIN[head.readUInt32BE(0)];
  if (!kind) throw new FormatError('not a Mach-O file');
  const { bits, endian } = kind;
  const hsize = bits === 64 ? 32 : 28;
  const h = new View(await readAt(src, 0, hsize, 'the Mach-O header'), endian, 'the Mach-O header');
  const ncmds = h.u32(16);
  const sizeofcmds = h.u32(20);
  if (sizeofcmds > MAX_CMDS_BYTES)
    throw new FormatError(`the Mach-O load commands claim ${sizeofcmds} bytes`);
  const cmds = new View(
    await readAt(src, hsize, sizeofcmds, 'the Mach-O load commands'),
    endian,
    'a load command',
  );
  const info: MachoInfo = {
    kind: 'macho',
    bits,
    endian,
    cputype: h.u32(4),
    cpusubtype: h.u32(8),
    filetype: h.u32(12),
    flags: h.u32(24),
    platform: null,
    minos: null,
    minosSource: null,
    dylinker: null,
    dylibs: [],
    codeSignature: null,
    buildinfo: [],
    loaded: [],
    maps: [],
  };
  const segments: Segment[] = [];
  const sections: Held[] = [];
  let goBuildinfo: Region | null = null;
  // Each command is at least 8 bytes, so the count is bounded by sizeofcmds.
  if (ncmds > sizeofcmds / 8)
    throw new FormatError(`${ncmds} Mach-O load commands cannot fit in ${sizeofcmds} bytes`);
  for (let i = 0, at = 0; i < ncmds; i++) {
    const cmd = cmds.u32(at);
    const size = cmds.u32(at + 4);
    if (size < 8 || at + size > sizeofcmds)
      throw new FormatError(`Mach-O load command ${i} has a bad size (${size})`);
    const lc = new View(cmds.buf.subarray(at, at + size), endian, `Mach-O load command ${i}`);
    const versionMin = VERSION_MIN[cmd];
    const str = (): string => {
      const off = lc.u32(8);
      if (off >= size) throw new FormatError(`Mach-O load command ${i} has a string outside it`);
      return cstring(lc.buf, off, 1024);
    };
    if (cmd === LC_SEGMENT || cmd === LC_SEGMENT_64) {
      const seg = readSegment(lc, cmd === LC_SEGMENT_64, src.size, i);
      segments.push(seg.segment);
      sections.push(...seg.sections);
      goBuildinfo ??= seg.goBuildinfo;
    } else if (cmd === LC_LOAD_DYLINKER) {
      info.dylinker = str();
    } else if (DYLIB_COMMANDS.has(cmd)) {
      if (info.dylibs.length < 1024) info.dylibs.push(str());
    } else if (cmd === LC_BUILD_VERSION) {
      info.platform = lc.u32(8);
      info.minos = version(lc.u32(12));
      info.minosSource = 'LC_BUILD_VERSION minos';
    } else if (cmd === LC_CODE_SIGNATURE) {
      // Its range is checked against the file by the signature check, which reports it as a verdict.
      info.codeSignature = { offset: lc.u32(8), size: lc.u32(12) };
    } else if (versionMin !== undefined && info.platform === null) {
      info.platform = versionMin.platform;
      info.minos = version(lc.u32(8));
      info.minosSource = `${versionMin.name} version`;
    }
    at += size;
  }
  const region = (s: Segment): Region => ({
    name: `${s.name} segment`,
    offset: s.fileoff,
    size: s.filesize,
    vaddr: s.vmaddr,
  });
  const withData = segments.filter((s) => s.filesize > 0);
  // Searches cover the sections that hold bytes: a segment can claim far more of the file than its sections
  // fill (a sparse file). Only a file without sections is searched by its segments.
  const searched =
    sections.length > 0 ? sections : withData.map((s) => ({ ...region(s), writable: s.writable }));
  const plain = (h: Held): Region => ({ name: h.name, offset: h.offset, size: h.size, vaddr: h.vaddr });
  info.loaded = searched.map(plain);
  info.maps = withData.map((s) => ({ vaddr: s.vmaddr, offset: s.fileoff, size: s.filesize }));
  info.buildinfo = goBuildinfo ? [goBuildinfo] : searched.filter((s) => s.writable).map(plain);
  return info;
}

function readSegment(
  lc: View,
  is64: boolean,
  fileSize: number,
  index: number,
): { segment: Segment; sections: Held[]; goBuildinfo: Region | null } {
  const w = is64 ? 8 : 4;
  const bits = is64 ? 64 : 32;
  const segment: Segment = {
    name: fixedName(lc.buf, 8, 16),
    vmaddr: lc.word(24, bits),
    fileoff: lc.word(24 + 2 * w, bits),
    filesize: lc.word(24 + 3 * w, bits),
    writable: (lc.u32(28 + 4 * w) & VM_PROT_WRITE) !== 0,
  };
  checkRange(fileSize, segment.fileoff, segment.filesize, `Mach-O segment ${segment.name || index}`);
  const nsects = lc.u32(32 + 4 * w);
  const hsize = is64 ? 72 : 56;
  const ssize = is64 ? 80 : 68;
  if (hsize + nsects * ssize > lc.buf.length)
    throw new FormatError(`Mach-O segment ${segment.name} has too many sections`);
  let goBuildinfo: Region | null = null;
  const sections: Held[] = [];
  for (let j = 0; j < nsects; j++) {
    const b = hsize + j * ssize;
    const sectname = fixedName(lc.buf, b, 16);
    const addr = lc.word(b + 32, bits);
    const size = lc.word(b + 32 + w, bits);
    const offset = lc.u32(b + 32 + 2 * w);
    const flags = lc.u32(b + 32 + 2 * w + 16);
    if (ZEROFILL.has(flags & 0xff) || offset === 0) continue;
    checkRange(fileSize, offset, size, `Mach-O section ${segment.name},${sectname}`);
    if (size > 0)
      sections.push({ name: `${sectname} section`, offset, size, vaddr: addr, writable: segment.writable });
    if (sectname === '__go_buildinfo')
      goBuildinfo = { name: '__go_buildinfo section', offset, size, vaddr: addr };
  }
  return { segment, sections, goBuildinfo };
}

function version(v: number): string {
  return `${v >>> 16}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

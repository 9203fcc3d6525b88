// Minimal hand-built executables for what no installed toolchain produces: pre-1.18 (pointer form) build
// info in ELF, PE and Mach-O, and 32-bit Mach-O.
import { BUILDINFO_MAGIC, INFO_END, INFO_START } from '../../src/verify/buildinfo.js';

type Endian = 'little' | 'big';

function word(value: number | bigint, size: number, endian: Endian): Buffer {
  const b = Buffer.alloc(size);
  if (size === 8) {
    if (endian === 'little') b.writeBigUInt64LE(BigInt(value));
    else b.writeBigUInt64BE(BigInt(value));
  } else if (size === 4) {
    if (endian === 'little') b.writeUInt32LE(Number(value));
    else b.writeUInt32BE(Number(value));
  } else if (endian === 'little') b.writeUInt16LE(Number(value));
  else b.writeUInt16BE(Number(value));
  return b;
}

export function framed(modinfo: string): Buffer {
  return Buffer.concat([INFO_START, Buffer.from(modinfo), INFO_END]);
}

/** A Go ≤ 1.17 build info blob at `vaddr`: the header's two pointers lead to Go string headers, then the bytes. */
export function legacyBlob(
  vaddr: bigint,
  ptrSize: 4 | 8,
  endian: Endian,
  version: string,
  modinfo: string,
): Buffer {
  const mod = framed(modinfo);
  const hdrs = vaddr + 32n;
  const data = hdrs + BigInt(4 * ptrSize);
  const p = (v: bigint | number): Buffer => word(v, ptrSize, endian);
  const header = Buffer.alloc(32);
  BUILDINFO_MAGIC.copy(header);
  header[14] = ptrSize;
  header[15] = endian === 'big' ? 1 : 0;
  p(hdrs).copy(header, 16);
  p(hdrs + BigInt(2 * ptrSize)).copy(header, 16 + ptrSize);
  const version0 = Buffer.from(version);
  return Buffer.concat([
    header,
    p(data),
    p(version0.length),
    p(data + BigInt(version0.length)),
    p(mod.length),
    version0,
    mod,
  ]);
}

/** A Go ≥ 1.18 blob: uvarint-prefixed strings inline after the 32-byte header. */
export function inlineBlob(ptrSize: 4 | 8, endian: Endian, version: string, modinfo: string): Buffer {
  const header = Buffer.alloc(32);
  BUILDINFO_MAGIC.copy(header);
  header[14] = ptrSize;
  header[15] = 2 | (endian === 'big' ? 1 : 0);
  const str = (s: Buffer): Buffer => {
    const len: number[] = [];
    for (let n = s.length; ; n >>>= 7) {
      len.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
      if (n < 0x80) break;
    }
    return Buffer.concat([Buffer.from(len), s]);
  };
  return Buffer.concat([header, str(Buffer.from(version)), str(framed(modinfo))]);
}

export interface ElfSpec {
  bits: 32 | 64;
  endian: Endian;
  machine: number;
  flags?: number;
  /** Writable PT_LOAD contents, each placed page-aligned at vaddr = base + file offset. */
  data: Buffer;
  base: bigint;
}

/** ET_EXEC with PT_GNU_STACK (so it reads as Linux) and one writable PT_LOAD; no section headers. */
export function elf(spec: ElfSpec): Buffer {
  const { bits, endian } = spec;
  const w = bits / 8;
  const ehsize = bits === 64 ? 64 : 52;
  const phentsize = bits === 64 ? 56 : 32;
  const dataOff = 0x1000;
  const u16 = (v: number): Buffer => word(v, 2, endian);
  const u32 = (v: number): Buffer => word(v, 4, endian);
  const addr = (v: bigint | number): Buffer => word(v, w, endian);
  const ident = Buffer.from([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, endian === 'little' ? 1 : 2, 1, 0]);
  const header = Buffer.concat([
    ident,
    Buffer.alloc(8),
    u16(2),
    u16(spec.machine),
    u32(1),
    addr(spec.base + BigInt(dataOff)),
    addr(ehsize),
    addr(0),
    u32(spec.flags ?? 0),
    u16(ehsize),
    u16(phentsize),
    u16(2),
    u16(0),
    u16(0),
    u16(0),
  ]);
  const phdr = (type: number, flags: number, offset: number, vaddr: bigint, filesz: number): Buffer =>
    bits === 64
      ? Buffer.concat([
          u32(type),
          u32(flags),
          addr(offset),
          addr(vaddr),
          addr(vaddr),
          addr(filesz),
          addr(filesz),
          addr(0x1000),
        ])
      : Buffer.concat([
          u32(type),
          u32(offset),
          addr(vaddr),
          addr(vaddr),
          u32(filesz),
          u32(filesz),
          u32(flags),
          u32(0x1000),
        ]);
  const phdrs = Buffer.concat([
    phdr(1, 6, dataOff, spec.base + BigInt(dataOff), spec.data.length),
    phdr(0x6474e551, 6, 0, 0n, 0),
  ]);
  const head = Buffer.concat([header, phdrs]);
  return Buffer.concat([head, Buffer.alloc(dataOff - head.length), spec.data]);
}

/** PE32+ amd64 console program with a single `.data` section at RVA 0x1000. */
export function pe(data: Buffer, imageBase: bigint): Buffer {
  const f = Buffer.alloc(0x200 + data.length);
  f.write('MZ', 0, 'latin1');
  f.writeUInt32LE(0x80, 0x3c);
  f.writeUInt32BE(0x50450000, 0x80);
  const coff = 0x84;
  f.writeUInt16LE(0x8664, coff);
  f.writeUInt16LE(1, coff + 2);
  f.writeUInt16LE(240, coff + 16);
  f.writeUInt16LE(0x22, coff + 18);
  const opt = coff + 20;
  f.writeUInt16LE(0x20b, opt);
  f.writeBigUInt64LE(imageBase, opt + 24);
  f.writeUInt16LE(3, opt + 68);
  f.writeUInt32LE(16, opt + 108);
  const sec = opt + 240;
  f.write('.data', sec, 'latin1');
  f.writeUInt32LE(data.length, sec + 8);
  f.writeUInt32LE(0x1000, sec + 12);
  f.writeUInt32LE(data.length, sec + 16);
  f.writeUInt32LE(0x200, sec + 20);
  f.writeUInt32LE(0xc0000040, sec + 36);
  data.copy(f, 0x200);
  return f;
}

/** A thin Mach-O (64-bit amd64 or 32-bit i386) with a writable __DATA segment at file offset 0x1000. */
export function macho(bits: 32 | 64, data: Buffer, vmaddr: bigint, platform: number | null): Buffer {
  const w = bits / 8;
  const u32 = (v: number): Buffer => word(v, 4, 'little');
  const addr = (v: bigint | number): Buffer => word(v, w, 'little');
  const segname = Buffer.alloc(16);
  segname.write('__DATA');
  const segBody = Buffer.concat([
    segname,
    addr(vmaddr),
    addr(data.length),
    addr(0x1000),
    addr(data.length),
    u32(3),
    u32(3),
    u32(0),
    u32(0),
  ]);
  const seg = Buffer.concat([u32(bits === 64 ? 0x19 : 0x1), u32(8 + segBody.length), segBody]);
  const build =
    platform === null
      ? Buffer.alloc(0)
      : Buffer.concat([u32(0x32), u32(24), u32(platform), u32(0x000b0000), u32(0x000b0000), u32(0)]);
  const cmds = Buffer.concat([seg, build]);
  const header = Buffer.concat([
    u32(bits === 64 ? 0xfeedfacf : 0xfeedface),
    u32(bits === 64 ? 0x01000007 : 7),
    u32(3),
    u32(2),
    u32(platform === null ? 1 : 2),
    u32(cmds.length),
    u32(0),
    ...(bits === 64 ? [u32(0)] : []),
  ]);
  const head = Buffer.concat([header, cmds]);
  return Buffer.concat([head, Buffer.alloc(0x1000 - head.length), data]);
}

import { open, rename, rm } from 'node:fs/promises';

/** Mach-O fat header magic (big-endian on disk, like every field of the fat header). */
const FAT_MAGIC = 0xcafebabe;
const MH_MAGIC_64 = 0xfeedfacf;
/** 2^14: the page size of arm64 macOS; lipo aligns arm64 slices to it, and it suits x86_64 too. */
const SLICE_ALIGN = 14;

export interface FatSlice {
  readonly cputype: number;
  readonly cpusubtype: number;
  readonly offset: number;
  readonly size: number;
  readonly align: number;
}

/**
 * Writes a universal (fat) Mach-O from thin 64-bit Mach-O files: the fat header and one
 * fat_arch record per slice (Apple's <mach-o/fat.h>), then each file's bytes unchanged at an
 * offset aligned to 2^14, in cputype order as lipo writes them. Returns the slice table.
 */
export async function writeUniversal(dest: string, thinFiles: readonly string[]): Promise<FatSlice[]> {
  const inputs = [];
  for (const file of thinFiles) {
    const handle = await open(file, 'r');
    try {
      const header = Buffer.alloc(12);
      const { size } = await handle.stat();
      await handle.read(header, 0, 12, 0);
      if (size < 32 || header.readUInt32LE(0) !== MH_MAGIC_64) {
        throw new Error(`${file} is not a 64-bit little-endian Mach-O file`);
      }
      inputs.push({ file, size, cputype: header.readUInt32LE(4), cpusubtype: header.readUInt32LE(8) });
    } finally {
      await handle.close();
    }
  }
  inputs.sort((a, b) => a.cputype - b.cputype);
  if (new Set(inputs.map((i) => i.cputype)).size !== inputs.length)
    throw new Error('two slices have the same CPU type');
  const alignment = 2 ** SLICE_ALIGN;
  const roundUp = (n: number): number => Math.ceil(n / alignment) * alignment;
  const slices: FatSlice[] = [];
  let offset = roundUp(8 + 20 * inputs.length);
  for (const input of inputs) {
    slices.push({
      cputype: input.cputype,
      cpusubtype: input.cpusubtype,
      offset,
      size: input.size,
      align: SLICE_ALIGN,
    });
    offset = roundUp(offset + input.size);
  }
  if (offset > 0xffffffff) throw new Error('a universal binary over 4 GiB needs the 64-bit fat format');
  const header = Buffer.alloc(8 + 20 * slices.length);
  header.writeUInt32BE(FAT_MAGIC, 0);
  header.writeUInt32BE(slices.length, 4);
  slices.forEach((s, i) => {
    const at = 8 + 20 * i;
    header.writeUInt32BE(s.cputype, at);
    header.writeUInt32BE(s.cpusubtype, at + 4);
    header.writeUInt32BE(s.offset, at + 8);
    header.writeUInt32BE(s.size, at + 12);
    header.writeUInt32BE(s.align, at + 16);
  });
  const temp = `${dest}.${process.pid}.partial`;
  try {
    const out = await open(temp, 'w', 0o755);
    try {
      await out.write(header, 0, header.length, 0);
      for (const [i, input] of inputs.entries())
        await copyInto(input.file, out, (slices[i] as FatSlice).offset);
    } finally {
      await out.close();
    }
    await rename(temp, dest);
    return slices;
  } finally {
    await rm(temp, { force: true });
  }
}

async function copyInto(file: string, out: Awaited<ReturnType<typeof open>>, offset: number): Promise<void> {
  const input = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    let position = 0;
    for (;;) {
      const { bytesRead } = await input.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return;
      await out.write(buffer, 0, bytesRead, offset + position);
      position += bytesRead;
    }
  } finally {
    await input.close();
  }
}

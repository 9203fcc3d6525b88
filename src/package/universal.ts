import { rename, rm, writeFile } from 'node:fs/promises';

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
 * Writes a universal (fat) Mach-O from thin 64-bit Mach-O binaries: the fat header and one
 * fat_arch record per slice (Apple's <mach-o/fat.h>), then each binary's bytes unchanged at an
 * offset aligned to 2^14, in cputype order as lipo writes them. The file is composed in memory
 * from bytes already read, so nothing is read back from disk; returns the slice table and the
 * bytes written.
 */
export async function writeUniversal(
  dest: string,
  thinBinaries: readonly { readonly file: string; readonly bytes: Buffer }[],
): Promise<{ slices: FatSlice[]; bytes: Buffer }> {
  const inputs = thinBinaries.map(({ file, bytes }) => {
    if (bytes.length < 32 || bytes.readUInt32LE(0) !== MH_MAGIC_64) {
      throw new Error(
        `${file} is not a 64-bit little-endian Mach-O file, so it cannot be a slice of ${dest}; a universal binary is made of darwin/amd64 and darwin/arm64 executables (set 'universal' to false to build none)`,
      );
    }
    return { file, bytes, cputype: bytes.readUInt32LE(4), cpusubtype: bytes.readUInt32LE(8) };
  });
  inputs.sort((a, b) => a.cputype - b.cputype);
  const twin = inputs.find((input, i) => i > 0 && inputs[i - 1]?.cputype === input.cputype);
  if (twin !== undefined) {
    const other = inputs.find((input) => input.cputype === twin.cputype) as { file: string };
    throw new Error(
      `${other.file} and ${twin.file} are both of CPU type 0x${twin.cputype.toString(16)}, and ${dest} can hold one slice per CPU type; give it one darwin/amd64 and one darwin/arm64 executable`,
    );
  }
  const alignment = 2 ** SLICE_ALIGN;
  const roundUp = (n: number): number => Math.ceil(n / alignment) * alignment;
  const slices: FatSlice[] = [];
  let offset = roundUp(8 + 20 * inputs.length);
  for (const input of inputs) {
    slices.push({
      cputype: input.cputype,
      cpusubtype: input.cpusubtype,
      offset,
      size: input.bytes.length,
      align: SLICE_ALIGN,
    });
    offset = roundUp(offset + input.bytes.length);
  }
  if (offset > 0xffffffff) {
    throw new Error(
      `${dest} would be ${offset} bytes, and a universal binary over 4 GiB needs the 64-bit fat format, which this does not write; set 'universal' to false and ship the darwin binaries apart`,
    );
  }
  // The last slice ends the file: no padding after it, as lipo writes it.
  const last = slices.at(-1);
  const bytes = Buffer.alloc(last ? last.offset + last.size : 8);
  bytes.writeUInt32BE(FAT_MAGIC, 0);
  bytes.writeUInt32BE(slices.length, 4);
  slices.forEach((s, i) => {
    const at = 8 + 20 * i;
    bytes.writeUInt32BE(s.cputype, at);
    bytes.writeUInt32BE(s.cpusubtype, at + 4);
    bytes.writeUInt32BE(s.offset, at + 8);
    bytes.writeUInt32BE(s.size, at + 12);
    bytes.writeUInt32BE(s.align, at + 16);
    (inputs[i] as (typeof inputs)[number]).bytes.copy(bytes, s.offset);
  });
  const temp = `${dest}.${process.pid}.partial`;
  try {
    await writeFile(temp, bytes, { mode: 0o755 });
    await rename(temp, dest);
    return { slices, bytes };
  } finally {
    await rm(temp, { force: true });
  }
}

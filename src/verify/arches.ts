// What each GOARCH looks like in each container. Machine codes have no rule behind them, so they are a
// table; everything else (formats, OS evidence, descriptions) is derived from it.
import type { Endian } from './binary.js';

export interface ArchSpec {
  bits: 32 | 64 | null;
  endian: Endian;
  /** e_machine */
  elf?: number;
  /** COFF Machine */
  pe?: number;
  /** cputype */
  macho?: number;
  /** a.out magic */
  plan9?: number;
  /** f_magic */
  xcoff?: number;
  wasm?: true;
  /** Name in file(1)-style descriptions. */
  label: string;
  /** The variable that selects the arch's instruction-set level or float mode. */
  variant?: string;
}

export const ARCHES: Readonly<Record<string, ArchSpec>> = {
  '386': {
    bits: 32,
    endian: 'little',
    elf: 3,
    pe: 0x14c,
    macho: 7,
    plan9: 0x1eb,
    label: 'Intel 80386',
    variant: 'GO386',
  },
  amd64: {
    bits: 64,
    endian: 'little',
    elf: 62,
    pe: 0x8664,
    macho: 0x01000007,
    plan9: 0x8a97,
    label: 'x86-64',
    variant: 'GOAMD64',
  },
  arm: {
    bits: 32,
    endian: 'little',
    elf: 40,
    pe: 0x1c4,
    macho: 12,
    plan9: 0x647,
    label: 'ARM',
    variant: 'GOARM',
  },
  arm64: {
    bits: 64,
    endian: 'little',
    elf: 183,
    pe: 0xaa64,
    macho: 0x0100000c,
    label: 'AArch64',
    variant: 'GOARM64',
  },
  loong64: { bits: 64, endian: 'little', elf: 258, label: 'LoongArch' },
  mips: { bits: 32, endian: 'big', elf: 8, label: 'MIPS', variant: 'GOMIPS' },
  mipsle: { bits: 32, endian: 'little', elf: 8, label: 'MIPS', variant: 'GOMIPS' },
  mips64: { bits: 64, endian: 'big', elf: 8, label: 'MIPS', variant: 'GOMIPS64' },
  mips64le: { bits: 64, endian: 'little', elf: 8, label: 'MIPS', variant: 'GOMIPS64' },
  ppc64: { bits: 64, endian: 'big', elf: 21, xcoff: 0x1f7, label: 'PowerPC64', variant: 'GOPPC64' },
  ppc64le: { bits: 64, endian: 'little', elf: 21, label: 'PowerPC64', variant: 'GOPPC64' },
  riscv64: { bits: 64, endian: 'little', elf: 243, label: 'RISC-V', variant: 'GORISCV64' },
  s390x: { bits: 64, endian: 'big', elf: 22, label: 'IBM S/390' },
  wasm: { bits: null, endian: 'little', wasm: true, label: 'WebAssembly', variant: 'GOWASM' },
};

export type Format = 'elf' | 'pe' | 'macho' | 'macho-fat' | 'wasm' | 'plan9' | 'xcoff';

/** GOOS values whose executables are ELF. */
export const ELF_OSES = [
  'linux',
  'android',
  'freebsd',
  'netbsd',
  'openbsd',
  'dragonfly',
  'solaris',
  'illumos',
];

export function archSpec(goarch: string): ArchSpec | null {
  return Object.hasOwn(ARCHES, goarch) ? (ARCHES[goarch] ?? null) : null;
}

/** The GOARCH whose spec satisfies `match`, or null. */
export function findArch(match: (a: ArchSpec) => boolean): string | null {
  return Object.entries(ARCHES).find(([, a]) => match(a))?.[0] ?? null;
}

/** The container GOOS implies; wasm targets are wasm whatever their GOOS. */
export function formatFor(goos: string, goarch: string): Format | null {
  if (goarch === 'wasm') return goos === 'js' || goos === 'wasip1' ? 'wasm' : null;
  if (goos === 'windows') return 'pe';
  if (goos === 'darwin' || goos === 'ios') return 'macho';
  if (goos === 'plan9') return 'plan9';
  if (goos === 'aix') return 'xcoff';
  return ELF_OSES.includes(goos) ? 'elf' : null;
}

const FORMAT_KEY = {
  elf: 'elf',
  pe: 'pe',
  macho: 'macho',
  'macho-fat': 'macho',
  wasm: 'wasm',
  plan9: 'plan9',
  xcoff: 'xcoff',
} as const;

/** Whether the arch has a known machine code in the format. */
export function archHasFormat(spec: ArchSpec, format: Format): boolean {
  return spec[FORMAT_KEY[format]] !== undefined;
}

/** A file(1)-style description of what a target's executable must be. */
export function describe(format: Format, spec: ArchSpec): string {
  const bits = spec.bits === null ? '' : `${spec.bits}-bit `;
  switch (format) {
    case 'elf':
      return `ELF ${bits}${spec.endian === 'little' ? 'LSB' : 'MSB'} ${spec.label}`;
    case 'pe':
      return `${spec.bits === 64 ? 'PE32+' : 'PE32'} ${spec.label}`;
    case 'macho':
    case 'macho-fat':
      return `Mach-O ${bits}${spec.label}`;
    case 'wasm':
      return 'WebAssembly';
    case 'plan9':
      return `Plan 9 a.out ${spec.label}`;
    case 'xcoff':
      return `XCOFF64 ${spec.label}`;
  }
}

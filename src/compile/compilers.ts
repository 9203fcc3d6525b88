import { findOnPath } from '../which.js';

/** The C toolchain a cgo build of one target uses. */
export interface CCompiler {
  /** Go splits CC into words itself, so a compiler with arguments (`zig cc -target …`) is one value. */
  readonly cc: string;
  readonly cxx: string | null;
}

/** GNU triples of the Debian/Ubuntu cross compilers (package gcc-<triple>, command <triple>-gcc). */
const LINUX_TRIPLES: Readonly<Record<string, readonly string[]>> = {
  amd64: ['x86_64-linux-gnu'],
  '386': ['i686-linux-gnu'],
  arm64: ['aarch64-linux-gnu'],
  arm: ['arm-linux-gnueabihf', 'arm-linux-gnueabi'],
  ppc64le: ['powerpc64le-linux-gnu'],
  ppc64: ['powerpc64-linux-gnu'],
  s390x: ['s390x-linux-gnu'],
  riscv64: ['riscv64-linux-gnu'],
  mips: ['mips-linux-gnu'],
  mipsle: ['mipsel-linux-gnu'],
  mips64: ['mips64-linux-gnuabi64'],
  mips64le: ['mips64el-linux-gnuabi64'],
  loong64: ['loongarch64-linux-gnu'],
};

/** mingw-w64 compilers (Debian/Ubuntu package gcc-mingw-w64-<arch>). */
const WINDOWS_TRIPLES: Readonly<Record<string, readonly string[]>> = {
  amd64: ['x86_64-w64-mingw32'],
  '386': ['i686-w64-mingw32'],
};

const ZIG_TARGETS: Readonly<Record<string, string>> = {
  'linux/amd64': 'x86_64-linux-gnu',
  'linux/386': 'x86-linux-gnu',
  'linux/arm64': 'aarch64-linux-gnu',
  'linux/arm': 'arm-linux-gnueabihf',
  'linux/riscv64': 'riscv64-linux-gnu',
  'linux/ppc64le': 'powerpc64le-linux-gnu',
  'linux/s390x': 's390x-linux-gnu',
  'windows/amd64': 'x86_64-windows-gnu',
  'windows/386': 'x86-windows-gnu',
  'windows/arm64': 'aarch64-windows-gnu',
  'darwin/amd64': 'x86_64-macos',
  'darwin/arm64': 'aarch64-macos',
};

function triplesFor(goos: string, goarch: string, goarm: string | null): readonly string[] {
  if (goos === 'windows') return WINDOWS_TRIPLES[goarch] ?? [];
  if (goos !== 'linux') return [];
  const triples = LINUX_TRIPLES[goarch] ?? [];
  // GOARM=5 has no FPU: the soft-float (gnueabi) toolchain first.
  return goarch === 'arm' && goarm?.startsWith('5') ? [...triples].reverse() : triples;
}

export type CompilerChoice = { readonly found: CCompiler | null } | { readonly missing: string };

/**
 * The C compiler for a cgo build of a target: none needed for the host itself (Go uses the
 * host's cc), else a well-known cross compiler on PATH (Debian/Ubuntu gcc cross packages,
 * mingw-w64), else `zig cc`; otherwise why not, naming the `cc` input and the package.
 */
export function discoverCompiler(
  goos: string,
  goarch: string,
  goarm: string | null,
  host: { goos: string; goarch: string },
  env: Readonly<Record<string, string | undefined>>,
): CompilerChoice {
  if (goos === host.goos && goarch === host.goarch) return { found: null };
  const triples = triplesFor(goos, goarch, goarm);
  for (const triple of triples) {
    const cc = findOnPath(`${triple}-gcc`, env);
    if (cc !== null) return { found: { cc, cxx: findOnPath(`${triple}-g++`, env) } };
  }
  const zigTarget = ZIG_TARGETS[`${goos}/${goarch}`];
  const zig = zigTarget === undefined ? null : findOnPath('zig', env);
  if (zig !== null && zigTarget !== undefined) {
    return { found: { cc: `${zig} cc -target ${zigTarget}`, cxx: `${zig} c++ -target ${zigTarget}` } };
  }
  const install =
    triples.length > 0
      ? `install the Debian/Ubuntu package ${goos === 'windows' ? `gcc-mingw-w64-${triples[0]?.split('-')[0]?.replace('_', '-')}` : `gcc-${triples[0]}`} (or zig)`
      : 'install a C cross compiler for it (zig cc works for many targets)';
  return {
    missing: `cgo-enabled is 1 but no C compiler for ${goos}/${goarch} was found on PATH: ${install}, or set 'cc' to '${goos}/${goarch}=<compiler>'.`,
  };
}

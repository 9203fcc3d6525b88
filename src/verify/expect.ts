// What a target's executable must look like, derived from the GOOS and GOARCH rules in arches.ts.
import type { ArchSpec, Format } from './arches.js';
import { ARCHES, ELF_OSES, archHasFormat, archSpec, describe, formatFor } from './arches.js';

export interface Expectation {
  format: Format;
  spec: ArchSpec;
  description: string;
  /** Why Go makes this target's files dynamic even without cgo; null when it does not. */
  alwaysDynamic: string | null;
}

const KNOWN_OSES = new Set([...ELF_OSES, 'windows', 'darwin', 'ios', 'plan9', 'aix', 'js', 'wasip1']);

/**
 * Every GOOS/GOARCH whose executables the rules can check, whichever Go release made them: the
 * question `verify` may be asked with any Go, or none, on PATH.
 */
export function verifiableTargets(): { goos: string; goarch: string }[] {
  return [...KNOWN_OSES].flatMap((goos) =>
    Object.keys(ARCHES)
      .filter((goarch) => typeof expectationFor(goos, goarch) !== 'string')
      .map((goarch) => ({ goos, goarch })),
  );
}

/** The expectation, or the sentence explaining why this target's headers cannot be checked. */
export function expectationFor(goos: string, goarch: string): Expectation | string {
  const target = `${goos}/${goarch}`;
  const spec = archSpec(goarch);
  if (!spec) return `cannot verify headers of ${target}: unknown architecture ${goarch}`;
  if (!KNOWN_OSES.has(goos)) return `cannot verify headers of ${target}: unknown operating system ${goos}`;
  const format = formatFor(goos, goarch);
  if (!format || !archHasFormat(spec, format)) {
    return `cannot verify headers of ${target}: unknown architecture for ${goos} (no known ${format ?? 'executable'} machine code for ${goarch})`;
  }
  return { format, spec, description: describe(format, spec), alwaysDynamic: alwaysDynamic(goos, goarch) };
}

function alwaysDynamic(goos: string, goarch: string): string | null {
  if (goos === 'openbsd' && goarch !== 'mips64')
    return 'openbsd binaries are always dynamic: Go calls libc there';
  if (goos === 'solaris' || goos === 'illumos' || goos === 'aix') {
    return `${goos} binaries are always dynamic: Go calls libc there`;
  }
  if (goos === 'darwin' || goos === 'ios')
    return `${goos} binaries are always dynamic: Go calls libSystem there`;
  if (goos === 'android') {
    return 'android binaries are always dynamic: Android requires position-independent executables loaded by /system/bin/linker';
  }
  return null;
}

/**
 * The ppc64 ELF ABI versions (e_flags & 3) a target's file may carry: big-endian Linux kept ELFv1
 * until Go 1.27 moved it to ELFv2. `goVersion` is the Go that built the file (from its build
 * info); without it either is possible for linux/ppc64.
 */
export function ppc64ElfAbis(goos: string, goarch: string, goVersion: string | null): number[] | null {
  if (goarch === 'ppc64le') return [2];
  if (goarch !== 'ppc64') return null;
  if (goos === 'openbsd') return [2];
  const release = goVersion === null ? null : /^go1\.(\d+)/.exec(goVersion);
  if (!release) return [1, 2];
  return Number(release[1]) >= 27 ? [2] : [1];
}

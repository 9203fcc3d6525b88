// min-macos and min-windows: a file whose own floor is newer than the oldest system that must run it fails,
// in one sentence naming both versions and what to do.
import { WINDOWS_RELEASES } from './floor.js';
import type { OsFloor, VerifyRequest } from './types.js';
import { compareVersions } from './versions.js';

/** Apple silicon began with macOS 11: an arm64 file never meets an older system, whatever min-macos says. */
const FIRST_ARM64_MACOS = '11.0';

/**
 * The LC_BUILD_VERSION minos Go's internal linker writes, newest release first: measured for 1.23, 1.26 and
 * 1.27 (floor.test.ts), 1.24 and 1.25 from the release notes (GO-RELEASES.md §4). Go 1.27 writes 13.0.
 */
const GO_MACOS_FLOORS = [
  { go: 'Go 1.25 or 1.26', last: 26, minos: '12.0' },
  { go: 'Go 1.23 or 1.24', last: 24, minos: '11.0' },
];
/** Below macOS 11 only releases before 1.23 remain (Go 1.19 writes 10.9 for amd64). */
const BEFORE_MACOS_11 = { go: 'a Go older than 1.23', last: 22 };
/** Go 1.27 is the first to write Windows 10 (10.0) as the PE OS and subsystem version; older ones write 6.1. */
const LAST_GO_WRITING_WINDOWS_7 = 26;

/** The problems, empty when the floor is within both bounds (or unknown, or for another system). */
export function checkFloor(
  floor: OsFloor | null,
  arch: string | null,
  goVersion: string | null,
  req: VerifyRequest,
): string[] {
  const built = { version: goVersion, minor: goMinor(goVersion) };
  const problems: string[] = [];
  if (req.minMacos != null) problems.push(...macosProblem(floor, arch, built, req.minMacos));
  if (req.minWindows != null) problems.push(...windowsProblem(floor, built, req.minWindows));
  return problems;
}

interface Built {
  version: string | null;
  minor: number | null;
}

function goMinor(version: string | null): number | null {
  const m = /^go1\.(\d+)/.exec(version ?? '');
  return m ? Number(m[1]) : null;
}

function macosProblem(floor: OsFloor | null, arch: string | null, built: Built, min: string): string[] {
  if (!/^\d+(\.\d+){0,2}$/.test(min)) return [`min-macos ${min} is not a macOS version like 12 or 10.15`];
  if (floor?.os !== 'macOS') return [];
  const appleSilicon = arch === 'arm64' && compareVersions(min, FIRST_ARM64_MACOS) < 0;
  const oldest = appleSilicon ? FIRST_ARM64_MACOS : min;
  if (compareVersions(floor.version, oldest) <= 0) return [];
  const found = GO_MACOS_FLOORS.find((g) => compareVersions(g.minos, oldest) <= 0);
  const go = found ? { go: `${found.go} (minos ${found.minos})`, last: found.last } : BEFORE_MACOS_11;
  // An older Go helps only when this file came from a newer one; otherwise a C linker set the floor.
  const olderGo = built.minor === null || built.minor > go.last ? [`build with ${go.go}`] : [];
  const remedies = [
    ...olderGo,
    `set MACOSX_DEPLOYMENT_TARGET=${oldest} for an external (cgo) link`,
    `raise min-macos to ${floor.version}`,
  ];
  const silicon = appleSilicon ? ` (${FIRST_ARM64_MACOS} for arm64: Apple silicon began with macOS 11)` : '';
  return [
    `needs ${floor.release} (${evidence(floor, built)}) but min-macos is ${min}${silicon}: it will not start on macOS ${oldest}; ${orList(remedies)}`,
  ];
}

function windowsProblem(floor: OsFloor | null, built: Built, min: string): string[] {
  const nt = WINDOWS_RELEASES.get(min);
  if (nt === undefined)
    return [
      `min-windows ${min} is not one of the Windows releases ${[...WINDOWS_RELEASES.keys()].join(', ')}`,
    ];
  if (floor?.os !== 'Windows' || compareVersions(floor.version, nt) <= 0) return [];
  const fromNewGo =
    floor.version === '10.0' && (built.minor === null || built.minor > LAST_GO_WRITING_WINDOWS_7);
  const raise = [...WINDOWS_RELEASES].find(([, v]) => compareVersions(v, floor.version) >= 0)?.[0];
  const remedies = [
    fromNewGo
      ? `build with Go 1.${LAST_GO_WRITING_WINDOWS_7} or older, whose headers say 6.1 (though Go supports Windows 7 and 8 only up to 1.20)`
      : 'link it with a lower OS and subsystem version',
    ...(raise === undefined ? [] : [`raise min-windows to ${raise}`]),
  ];
  return [
    `needs ${floor.release} (${evidence(floor, built)}) but min-windows is ${min}: it will not start on Windows ${min}; ${orList(remedies)}`,
  ];
}

function evidence(floor: OsFloor, built: Built): string {
  return built.version === null ? floor.evidence : `${floor.evidence}, ${built.version}`;
}

/** 'a', 'a, or b', 'a, b, or c': the remedies carry commas of their own. */
function orList(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')}, or ${items.at(-1) ?? ''}`;
}

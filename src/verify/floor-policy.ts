// min-macos and min-windows: a file whose floor (the later of its header's and its Go release's) is newer than
// the oldest system that must run it fails, in one sentence naming both versions and what to do.
import { WINDOWS_RELEASES, releaseName } from './floor.js';
import { goMinimum, goMinor, lastGoSupporting } from './go-floors.js';
import type { OsFloor, VerifyRequest } from './types.js';
import { compareVersions } from './versions.js';

/** Apple silicon began with macOS 11: an arm64 file never meets an older system, whatever min-macos says. */
const FIRST_ARM64_MACOS = '11.0';

/**
 * The problems, empty when the floor is within both bounds (or unknown, or for another system). `floor` is the
 * effective one (floor.ts effectiveFloor), `header` what the file alone asks for: which of them is too new
 * decides the remedy.
 */
export function checkFloor(
  header: OsFloor | null,
  floor: OsFloor | null,
  arch: string | null,
  goVersion: string | null,
  req: VerifyRequest,
): string[] {
  const minor = goMinor(goVersion);
  const problems: string[] = [];
  if (req.minMacos != null) problems.push(...macosProblem(header, floor, arch, minor, req.minMacos));
  if (req.minWindows != null) problems.push(...windowsProblem(header, floor, arch, minor, req.minWindows));
  return problems;
}

/**
 * How to get under `oldest`: an older Go when the one that built the file does not support it, and a lower
 * header (`lower`) when the header asks for more than that Go needs, i.e. a C linker or flags set it.
 */
function remedies(
  os: string,
  header: OsFloor | null,
  arch: string | null,
  minor: number | null,
  oldest: string,
  lower: string,
): string[] {
  const goMin = minor === null ? null : goMinimum(os, arch, minor);
  const out: string[] = [];
  if (goMin !== null && compareVersions(goMin.version, oldest) > 0) {
    const last = lastGoSupporting(os, arch, oldest);
    if (last !== null)
      out.push(`build with Go 1.${last} or older (the last to support ${releaseName(os, oldest)})`);
  }
  if (
    header !== null &&
    compareVersions(header.version, oldest) > 0 &&
    (goMin === null || compareVersions(header.version, goMin.version) > 0)
  )
    out.push(lower);
  return out;
}

function macosProblem(
  header: OsFloor | null,
  floor: OsFloor | null,
  arch: string | null,
  minor: number | null,
  min: string,
): string[] {
  if (!/^\d+(\.\d+){0,2}$/.test(min)) return [`min-macos ${min} is not a macOS version like 12 or 10.15`];
  if (floor?.os !== 'macOS') return [];
  const appleSilicon = arch === 'arm64' && compareVersions(min, FIRST_ARM64_MACOS) < 0;
  const oldest = appleSilicon ? FIRST_ARM64_MACOS : min;
  if (compareVersions(floor.version, oldest) <= 0) return [];
  const fixes = [
    ...remedies(
      'macOS',
      header,
      arch,
      minor,
      oldest,
      `set MACOSX_DEPLOYMENT_TARGET=${oldest} for an external (cgo) link`,
    ),
    `raise min-macos to ${floor.version}`,
  ];
  const silicon = appleSilicon ? ` (${FIRST_ARM64_MACOS} for arm64: Apple silicon began with macOS 11)` : '';
  return [
    `needs ${floor.release} (${floor.evidence}) but min-macos is ${min}${silicon}: it will not start on macOS ${oldest}; ${orList(fixes)}`,
  ];
}

function windowsProblem(
  header: OsFloor | null,
  floor: OsFloor | null,
  arch: string | null,
  minor: number | null,
  min: string,
): string[] {
  const nt = WINDOWS_RELEASES.get(min);
  if (nt === undefined)
    return [
      `min-windows ${min} is not one of the Windows releases ${[...WINDOWS_RELEASES.keys()].join(', ')}`,
    ];
  if (floor?.os !== 'Windows' || compareVersions(floor.version, nt) <= 0) return [];
  const raise = [...WINDOWS_RELEASES].find(([, v]) => compareVersions(v, floor.version) >= 0)?.[0];
  const fixes = [
    ...remedies('Windows', header, arch, minor, nt, 'link it with a lower OS and subsystem version'),
    ...(raise === undefined ? [] : [`raise min-windows to ${raise}`]),
  ];
  return [
    `needs ${floor.release} (${floor.evidence}) but min-windows is ${min}: it will not start on Windows ${min}; ${orList(fixes)}`,
  ];
}

/** 'a', 'a, or b', 'a, b, or c': the remedies carry commas of their own. */
function orList(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')}, or ${items.at(-1) ?? ''}`;
}

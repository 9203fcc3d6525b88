// The oldest OS release a file says it runs on, read from the file itself: Mach-O LC_BUILD_VERSION (or an
// older linker's LC_VERSION_MIN_*), the PE optional header's OS and subsystem versions, and the ELF notes that
// name an ABI version. Each Go release writes its own values (measured in __tests__/verify/floor.test.ts).
import type { ElfInfo, ElfNote } from './elf.js';
import { goMinimum, goMinor } from './go-floors.js';
import type { Thin } from './thin.js';
import type { MachoInfo } from './macho.js';
import { MACHO_PLATFORMS } from './macho.js';
import type { PeInfo } from './pe.js';
import type { OsFloor } from './types.js';
import { compareVersions } from './versions.js';

/** The NT version each Windows release reports, by the name `min-windows` takes (Windows 11 still says 10.0). */
export const WINDOWS_RELEASES: ReadonlyMap<string, string> = new Map([
  ['7', '6.1'],
  ['8', '6.2'],
  ['8.1', '6.3'],
  ['10', '10.0'],
  ['11', '10.0'],
]);

/** null for wasm, Plan 9 and XCOFF, whose headers record no OS version. */
export function floorOf(c: Thin): OsFloor | null {
  switch (c.kind) {
    case 'macho':
      return machoFloor(c);
    case 'pe':
      return peFloor(c);
    case 'elf':
      return elfFloor(c);
    default:
      return null;
  }
}

/** The newest of several floors (the slices of a universal binary): the one every slice can run on. */
export function highestFloor(floors: readonly (OsFloor | null)[]): OsFloor | null {
  return floors.reduce<OsFloor | null>(
    (max, f) => (f !== null && (max === null || compareVersions(f.version, max.version) > 0) ? f : max),
    null,
  );
}

/**
 * What "runs on" means: the later of the file's own floor and the oldest release of that OS the Go that built
 * it supports (Go 1.21-1.26 write Windows 7 into PE headers but support Windows 10 and later only). The
 * evidence names both. Without a Go version, or for an OS Go's notes give no minimum for, the header's.
 */
export function effectiveFloor(
  header: OsFloor | null,
  arch: string | null,
  goVersion: string | null,
): OsFloor | null {
  const minor = goMinor(goVersion);
  if (header === null || minor === null) return header;
  const min = goMinimum(header.os, arch, minor);
  if (min === null) return header;
  const goRelease = releaseName(header.os, min.version);
  const evidence = `${header.evidence} says ${header.release}; Go 1.${minor} supports ${goRelease} and later (${min.source})`;
  return compareVersions(min.version, header.version) > 0
    ? { os: header.os, version: min.version, release: goRelease, evidence }
    : { ...header, evidence };
}

/** 'Windows 10' for NT 10.0, 'macOS 12.0' for 12.0: the words a floor's `release` uses. */
export function releaseName(os: string, version: string): string {
  return os === 'Windows' ? windowsRelease(version) : `${os} ${version}`;
}

function machoFloor(m: MachoInfo): OsFloor | null {
  if (m.platform === null || m.minos === null || m.minosSource === null) return null;
  const os = MACHO_PLATFORMS[m.platform]?.name ?? `Mach-O platform ${m.platform}`;
  // minos is major.minor.patch; Apple names releases without a zero patch (13.0, 10.15).
  const version = m.minos.replace(/\.0$/, '');
  return { os, version, release: `${os} ${version}`, evidence: m.minosSource };
}

function peFloor(p: PeInfo): OsFloor {
  // The loader enforces the subsystem version; the OS version says what the linker meant. The higher one is the floor.
  const sub = p.subsystemVersion;
  const version = compareVersions(sub, p.osVersion) >= 0 ? sub : p.osVersion;
  const evidence =
    sub === p.osVersion
      ? `PE OS and subsystem version ${sub}`
      : `PE subsystem version ${sub}, OS version ${p.osVersion}`;
  return { os: 'Windows', version, release: windowsRelease(version), evidence };
}

/** 'Windows 10' for 10.0; an NT version no release in WINDOWS_RELEASES reports keeps its number. */
export function windowsRelease(nt: string): string {
  for (const [name, version] of WINDOWS_RELEASES) if (version === nt) return `Windows ${name}`;
  return `Windows NT ${nt}`;
}

/** What NT_GNU_ABI_TAG's first word names (glibc's elf.h ELF_NOTE_OS_*). */
const GNU_ABI_OS: ReadonlyMap<number, string> = new Map([
  [0, 'Linux'],
  [1, 'GNU Hurd'],
  [2, 'Solaris'],
  [3, 'FreeBSD'],
]);

/**
 * Every note here has type 1. Go writes FreeBSD's .note.tag (1203000 = 12.3; Go 1.19 wrote none) and NetBSD's
 * ident (700000000 = 7.0); a C linker adds the GNU ABI tag (Linux 3.2.0 from glibc's start files). Go's
 * OpenBSD note carries 0 and its Linux and DragonFly files have no such note: no floor.
 */
function elfFloor(e: ElfInfo): OsFloor | null {
  const words = (n: ElfNote): number[] => {
    const out: number[] = [];
    for (let at = 0; at + 4 <= n.desc.length; at += 4)
      out.push(e.endian === 'little' ? n.desc.readUInt32LE(at) : n.desc.readUInt32BE(at));
    return out;
  };
  const note = (owner: string): number[] => {
    const n = e.notes.find((x) => x.owner === owner && x.type === 1);
    return n ? words(n) : [];
  };
  const [freebsd] = note('FreeBSD');
  if (freebsd) {
    // __FreeBSD_version: major * 100000 + minor * 1000 + a patch count.
    const version = `${Math.floor(freebsd / 100000)}.${Math.floor(freebsd / 1000) % 100}`;
    return { os: 'FreeBSD', version, release: `FreeBSD ${version}`, evidence: `FreeBSD ABI note ${freebsd}` };
  }
  const [netbsd] = note('NetBSD');
  if (netbsd) {
    // __NetBSD_Version__: MMmmrrpp00 (major, minor, release, patch).
    const release = Math.floor(netbsd / 10000) % 100;
    const version = `${Math.floor(netbsd / 100000000)}.${Math.floor(netbsd / 1000000) % 100}${release ? `.${release}` : ''}`;
    return { os: 'NetBSD', version, release: `NetBSD ${version}`, evidence: `NetBSD ident note ${netbsd}` };
  }
  const [os, major, minor, patch] = note('GNU');
  if (os !== undefined && major !== undefined && minor !== undefined && patch !== undefined) {
    const name = GNU_ABI_OS.get(os) ?? `GNU ABI OS ${os}`;
    const version = `${major}.${minor}.${patch}`;
    return { os: name, version, release: `${name} ${version}`, evidence: 'NT_GNU_ABI_TAG note' };
  }
  return null;
}

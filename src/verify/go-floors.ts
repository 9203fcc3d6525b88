// The oldest OS release each Go release supports, from Go's release notes (the one table the rules allow:
// Go has no command that answers it). A file's header can ask for less than the Go that built it supports
// (Go 1.21-1.26 still write Windows 7 into PE headers), so "runs on" is the later of the two.
import { compareVersions } from './versions.js';

export interface GoOsMinimum {
  /** OsFloor.os: 'macOS', 'Windows', … */
  os: string;
  /** Only for this GOARCH (the header's), when the minimum is one port's. */
  arch?: string;
  /** The first Go 1.N release with this minimum. */
  since: number;
  /** In the form the file's header gives it (OsFloor.version). */
  version: string;
  /** The release notes section that says so. */
  source: string;
}

/** Per OS (and arch), the later row wins from its `since` on. */
export const GO_OS_MINIMUMS: readonly GoOsMinimum[] = [
  { os: 'macOS', since: 11, version: '10.10', source: 'go.dev/doc/go1.11#ports' },
  { os: 'macOS', since: 13, version: '10.11', source: 'go.dev/doc/go1.13#darwin' },
  { os: 'macOS', since: 15, version: '10.12', source: 'go.dev/doc/go1.15#darwin' },
  { os: 'macOS', since: 17, version: '10.13', source: 'go.dev/doc/go1.17#darwin' },
  { os: 'macOS', since: 21, version: '10.15', source: 'go.dev/doc/go1.21#darwin' },
  { os: 'macOS', since: 23, version: '11.0', source: 'go.dev/doc/go1.23#darwin' },
  { os: 'macOS', since: 25, version: '12.0', source: 'go.dev/doc/go1.25#darwin' },
  { os: 'macOS', since: 27, version: '13.0', source: 'go.dev/doc/go1.27#darwin' },
  { os: 'iOS', since: 18, version: '12.0', source: 'go.dev/doc/go1.18#ios' },
  { os: 'iOS simulator', since: 18, version: '12.0', source: 'go.dev/doc/go1.18#ios' },
  // NT versions, as the PE header writes them: 6.1 is Windows 7, 10.0 Windows 10 (and Server 2016).
  { os: 'Windows', since: 11, version: '6.1', source: 'go.dev/doc/go1.11#ports' },
  { os: 'Windows', since: 21, version: '10.0', source: 'go.dev/doc/go1.21#windows' },
  { os: 'FreeBSD', since: 13, version: '11.2', source: 'go.dev/doc/go1.13#freebsd' },
  // Announced in the Go 1.18 notes; the 1.19 notes do not repeat it.
  { os: 'FreeBSD', since: 19, version: '12.2', source: 'go.dev/doc/go1.18#freebsd' },
  { os: 'NetBSD', since: 10, version: '8.0', source: 'go.dev/doc/go1.10#netbsd' },
  { os: 'Linux', since: 18, version: '2.6.32', source: 'go.dev/doc/go1.18#linux' },
  { os: 'Linux', since: 24, version: '3.2', source: 'go.dev/doc/go1.24#linux' },
  { os: 'Linux', arch: 'ppc64', since: 27, version: '3.13', source: 'go.dev/doc/go1.27#ppc64' },
];

/** 'go1.26.8', 'go1.27rc1', 'devel go1.27-abc…' → 26, 27, 27; null when it names no Go 1.N release. */
export function goMinor(version: string | null): number | null {
  const m = /\bgo1\.(\d+)/.exec(version ?? '');
  return m ? Number(m[1]) : null;
}

/** What Go 1.`minor` documents as the oldest `os` it runs on (for `arch`), or null when the notes say nothing. */
export function goMinimum(os: string, arch: string | null, minor: number): GoOsMinimum | null {
  return GO_OS_MINIMUMS.filter(
    (r) => r.os === os && (r.arch === undefined || r.arch === arch) && r.since <= minor,
  ).reduce<GoOsMinimum | null>(
    (best, r) => (best === null || compareVersions(r.version, best.version) > 0 ? r : best),
    null,
  );
}

/** The newest Go 1.N whose documented minimum for `os` is at or below `version`; null when none is listed. */
export function lastGoSupporting(os: string, arch: string | null, version: string): number | null {
  const raises = GO_OS_MINIMUMS.filter(
    (r) =>
      r.os === os && (r.arch === undefined || r.arch === arch) && compareVersions(r.version, version) > 0,
  ).map((r) => r.since);
  return raises.length === 0 ? null : Math.min(...raises) - 1;
}

// The public shapes of a verification request and its verdict (PRODUCT.md, the manifest's `verify` object).
import type { Format } from './arches.js';
import type { Dependency } from './modinfo.js';

export type Linkage = 'static' | 'dynamic' | 'any';

export interface VerifyRequest {
  goos: string;
  goarch: string;
  /** The arch's variant variable and the value the target requires, e.g. { name: 'GOARM', value: '7' }.
   *  null when the target names no variant: then any recorded value is accepted (but still reported). */
  variant: { name: string; value: string } | null;
  cgoEnabled: '0' | '1';
  linkage: Linkage;
  /** e.g. '2.17'; null = no bound. */
  maxGlibc: string | null;
  /** GOFIPS140 the build was given (`latest`, `v1.0.0`, `off`, …); null = not checked. */
  fips140?: string | null;
  /** The oldest macOS that must run the file, e.g. '12' or '10.15'; absent or null = no bound. */
  minMacos?: string | null;
  /** The oldest Windows that must run the file: '7', '8', '8.1', '10' or '11'; absent or null = no bound. */
  minWindows?: string | null;
  /** How a problem names the setting that would accept the file: CLI flags, or (absent) action inputs. */
  settingsAre?: 'flags' | 'inputs';
}

/**
 * The oldest OS release the file runs on: the later of what its header asks for (floor.ts says where each
 * format records it) and what the Go release that built it supports (go-floors.ts).
 */
export interface OsFloor {
  /** 'macOS', 'iOS', 'Windows', 'Linux', 'FreeBSD', 'NetBSD' … */
  os: string;
  /** As headers encode it: '13.0' (Mach-O minos), '10.0' (Windows NT version), '12.3', '3.2.0'. */
  version: string;
  /** The release people know: 'macOS 13.0', 'Windows 10', 'FreeBSD 12.3', 'Linux 3.2.0'. */
  release: string;
  /** Where it was read, e.g. 'LC_BUILD_VERSION minos says macOS 12.0; Go 1.27 supports macOS 13.0 and later (go.dev/doc/go1.27#darwin)'. */
  evidence: string;
}

export interface BuildInfoSummary {
  goVersion: string | null;
  /** main package path */
  path: string | null;
  /** main module path */
  module: string | null;
  /** main module version as Go stamped it (`(devel)`, `v1.2.3`, a pseudo-version, `+dirty`) */
  moduleVersion: string | null;
  /** its h1: sum, when Go recorded one (a build of a downloaded module) */
  moduleSum: string | null;
  /** every `build` key=value line */
  settings: Record<string, string>;
  /** every `dep` line, with its `=>` replacement */
  deps: Dependency[];
}

/**
 * The code signature a Mach-O or PE file carries, and whether it still matches the file's bytes.
 * `adhoc` (Mach-O, no certificate: what Go's linker writes for darwin/arm64), `developer-id` (Mach-O with a
 * CMS signature and a team identifier), `signed` (Mach-O with a CMS signature but no team), `authenticode`
 * (PE, digest matches), `invalid` (present but does not match or cannot be read), `none`.
 */
export interface Signature {
  kind: 'adhoc' | 'developer-id' | 'signed' | 'authenticode' | 'invalid' | 'none';
  /** As the summary and table say it: 'adhoc', 'developer-id (team ABCDE12345)', 'invalid (page 3 differs)', 'none'. */
  summary: string;
  /** The Mach-O CodeDirectory identifier (Go writes the output file's name). */
  identifier: string | null;
  /** The Mach-O team identifier. */
  team: string | null;
  /** The hash the signature uses: 'sha256', 'sha1' … */
  hash: string | null;
  /** Why it is invalid, in full; null otherwise. */
  reason: string | null;
}

export interface VerifyResult {
  ok: boolean;
  format: Format | null;
  bits: 32 | 64 | null;
  endian: 'little' | 'big' | null;
  /** Go-style arch name the header says ('amd64', 'arm64', 'arm', 'mips64le', …) */
  machine: string | null;
  /** GOOS (or a set like 'solaris|illumos') the header is consistent with */
  os: string | null;
  linkage: 'static' | 'dynamic' | null;
  interpreter: string | null;
  /** DT_NEEDED / imported DLLs / LC_LOAD_DYLIB */
  needed: string[];
  /** highest GLIBC_x.y needed, e.g. '2.34' */
  glibc: string | null;
  /** The oldest OS the file runs on (OsFloor); null when its header records none. A universal binary: its highest slice's. */
  floor: OsFloor | null;
  buildinfo: BuildInfoSummary | null;
  /** sentences a person can act on; empty iff ok */
  problems: string[];
  /** facts that are not failures */
  notes: string[];
  /** Mach-O and PE: the code signature (a universal binary: its slices', see `slices`); null for other formats.
   *  Absent in manifests written before signatures were checked. */
  signature?: Signature | null;
  /** for fat Mach-O: one per slice */
  slices?: VerifyResult[];
}

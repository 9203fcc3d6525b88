import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { VerifyResult } from '../verify/index.js';
import { makeDirectories } from '../make-dirs.js';

export type ArtifactStatus =
  'ok' | 'build-failed' | 'verify-failed' | 'smoke-failed' | 'vulncheck-failed' | 'size-failed' | 'skipped';

/** The `verify` object of PRODUCT.md is the verifier's verdict. */
export type VerifyRecord = VerifyResult;

/** The smoke run of one binary: how it ran (native, qemu-…, wine) or why not, and how it ended. */
export interface SmokeRecord {
  ran: boolean;
  via: string | null;
  exitCode: number | null;
  seconds: number | null;
  timedOut: boolean;
  /** The first lines the binary printed. */
  output: string[];
  /** Why it did not run, or what stopped it. */
  reason: string | null;
}

export interface ArtifactEntry {
  name: string;
  package: string;
  target: string;
  /** Other spellings of this target in the matrix that build this very binary (`linux/arm` for `linux/arm/7`); absent when none. */
  aliases?: string[];
  goos: string;
  goarch: string;
  /** The pinned variables: GOOS, GOARCH, the arch's variant, CGO_ENABLED. */
  env: Record<string, string>;
  status: ArtifactStatus;
  /** Relative to the workspace; null when nothing was produced. */
  path: string | null;
  archive: string | null;
  archiveSha256: string | null;
  /** SBOM files of the binary (CycloneDX JSON), relative to the workspace; absent in older manifests. */
  sboms?: string[];
  size: number | null;
  sha256: string | null;
  buildSeconds: number | null;
  /** When this target's steps ended, in seconds from the build phase's start; null when it was not started. */
  timeline: TargetTimeline | null;
  verify: VerifyRecord | null;
  smoke: SmokeRecord | null;
  /** How the file was signed after it was built; absent when it was not. `sha256`/`size` above are the signed file's. */
  signing?: SigningRecord;
  /** What govulncheck found in the binary (`vulncheck`); absent when off, in older manifests and for universal binaries (their slices carry it). */
  vulncheck?: VulncheckRecord;
  /** The second build of `reproducible: check`; absent when it was off or the target built nothing. */
  reproducible?: ReproducibleRecord;
  error: string | null;
  /** The size against the same target and package of the baseline (the previous release); absent when nothing was compared. */
  sizeChange?: SizeChange;
}

export interface SizeChange {
  /** Where the previous figure came from: `release v1.2.0`, or the manifest file given as size-baseline. */
  baseline: string;
  /** The binary's size there; null when the baseline has no such binary (a new target or package). */
  previous: number | null;
  /** `size` minus `previous`, in bytes; null when `previous` is. */
  change: number | null;
}

/** What the sizes were compared with, or why they were not. */
export interface SizeReport {
  /** `release v1.2.0` or a file; null when no baseline was read. */
  baseline: string | null;
  /** Why there is no comparison (no previous release, no manifest.json on it, no token, …); null when there is one. */
  note: string | null;
  /** size-budget as given (`+5%`); null when none. */
  budget: string | null;
}

/** One binary through `govulncheck -mode=binary`. */
export interface VulncheckRecord {
  /** e.g. 'govulncheck@v1.9.0'. */
  scanner: string;
  /** The database asked: 'https://vuln.go.dev' or what `vulncheck-db` named. */
  db: string;
  /** 'binary': the file itself; 'unstripped-link': the same build linked again without -s, as govulncheck reads symbols from the symbol table; null when not scanned. */
  scanned: 'binary' | 'unstripped-link' | null;
  /** How long govulncheck took on it; null when it did not run. */
  seconds: number | null;
  /** Entries whose vulnerable functions are in the binary. */
  reachable: VulnFinding[];
  /** Entries whose vulnerable package is in the binary, but none of its vulnerable functions: imported, not reachable. */
  imported: VulnFinding[];
  /** Entries of a module the binary links none of whose vulnerable packages it holds (govulncheck's "modules you require"); absent in older manifests. */
  required?: VulnFinding[];
  /** Why the binary was not scanned; null when it was. */
  error: string | null;
}

export interface VulnFinding {
  /** The Go vulnerability database ID, e.g. 'GO-2022-1059'. */
  id: string;
  /** CVE and GHSA IDs of the same vulnerability. */
  aliases: string[];
  summary: string;
  /** The module path; 'stdlib' for the standard library of the Go that built the binary. */
  module: string;
  /** The version the binary holds (a Go release such as 'go1.23.5' for stdlib). */
  version: string;
  /** The first version without it; null when none is fixed. */
  fixed: string | null;
  /** Its packages the binary holds. */
  packages: string[];
  /** Its functions the binary holds, e.g. 'language.ParseAcceptLanguage'; empty unless reachable. */
  symbols: string[];
}

/** A second build of the target from another path, empty GOCACHE, TMPDIR, umask and time zone. */
export interface ReproducibleRecord {
  /** The second build wrote the same bytes as the first (the unsigned file, when this run signed it). */
  same: boolean;
  /** The second file's sha256; null when the second build failed (or, for a universal binary, derived from its slices). */
  sha256Again: string | null;
  /** Why not, in one sentence; null when the same. */
  cause: string | null;
}

/** A signature this run added: Authenticode (windows) or a macOS code signature (darwin, 'codesign'). */
export interface SigningRecord {
  kind: 'authenticode' | 'codesign';
  /** The signer, e.g. 'osslsigncode 2.9'. */
  tool: string;
  /** The file as `go build` wrote it, before signing (what a rebuild reproduces). */
  unsignedSha256: string;
  unsignedSize: number;
  /** The signed file (the same as the entry's sha256 and size). */
  sha256: string;
  size: number;
  subject: string;
  issuer: string;
  serial: string;
  /** The RFC 3161 timestamp (ISO 8601); null when not timestamped. */
  timestamp: string | null;
  timestampUrl: string | null;
  /** codesign: the team identifier the code signature carries (the certificate's OU). */
  team?: string;
  /** codesign: Apple's notary verdict ('Accepted'); null when not notarized. */
  notarization?: string | null;
}

export interface TargetTimeline {
  /** `go build` started. */
  started: number;
  /** `go build` ended and its file was read. */
  built: number;
  /** The verifier's verdict was in; null when it did not run. */
  verified: number | null;
  /** Smoke test and archive done: the target's result was final. */
  done: number;
}

export interface CacheRecord {
  hit: 'true' | 'partial' | 'false';
  key: string | null;
  restoredBytes: number;
  savedBytes: number;
  /** off, local (outside Actions), unavailable, restore-only, restore-and-save; absent in older manifests. */
  use?: 'off' | 'local' | 'unavailable' | 'restore-only' | 'restore-and-save';
  /**
   * The entries this job saved, with what each supersedes: a collect job that may delete cache
   * entries cleans up for build legs that may not. Absent when nothing was saved.
   */
  saved?: SavedCacheEntry[];
  /** Binaries taken as they were from a delta an earlier run saved, nothing Go reads having changed since; absent when none. */
  reused?: number;
  /** Build outputs the builds added to the restored GOCACHE (about one per package compiled per target); absent when not counted. */
  compiled?: number;
}

export interface SavedCacheEntry {
  name: 'GOMODCACHE' | 'GOCACHE' | 'delta';
  key: string;
  /** Every key of the same kind and runner (and module, for GOMODCACHE) starts with it. */
  family: string;
  /** Keys of other compile inputs this entry holds all of. */
  supersedes: string[];
  /** GOCACHE: the family of the deltas saved on top of an entry (they go when it goes); absent in older manifests. */
  deltas?: string;
  /**
   * A delta: the GOCACHE entry it is saved on top of (kept), and the key this run would have saved
   * GOCACHE under, which cleans up GOCACHE entries as a save of it would.
   */
  base?: { key: string; family: string; asSaved: string };
}

/** The go.work a build ran in: paths relative to the workspace. */
export interface WorkspaceRecord {
  file: string;
  /** The modules of its `use` lines (each a main module of the build). */
  modules: { path: string; dir: string }[];
}

export interface Manifest {
  schemaVersion: 1;
  tool: { name: string; version: string };
  /** `version` is the Go of the binaries' build info (GOTOOLCHAIN may switch from the go on PATH). */
  go: { version: string; hostGoos: string; hostGoarch: string };
  module: string;
  /** The go.work workspace the module was built in; null in module mode; absent in older manifests. */
  workspace?: WorkspaceRecord | null;
  version: string;
  commit: string;
  date: string;
  /** GITHUB_RUN_ATTEMPT of the job that built it (collect takes each target from its newest attempt); null outside Actions, absent in older manifests. */
  runAttempt?: number | null;
  cache: CacheRecord | null;
  /** Wall time from the first `go build` to the last finished target (verification and archives included). */
  buildPhaseSeconds: number;
  /** Wall time of each stage before the manifest was written (prepare, cache restore, compile, …), in the order they ran; absent in older manifests. */
  stageSeconds?: Record<string, number>;
  /** Wall time of the `reproducible: check` stage (every second build and its comparison); absent when off. */
  reproduceSeconds?: number;
  /** checksums.txt, relative to the workspace; null when `checksums: none`. */
  checksums: string | null;
  artifacts: ArtifactEntry[];
  /** The size comparison with the previous release (size-baseline); absent when off and in older manifests. */
  size?: SizeReport;
}

export const MANIFEST_FILE = 'manifest.json';

/** Writes the manifest atomically (temp file + rename) so a reader never sees half of it. */
export async function writeManifest(outputDir: string, manifest: Manifest): Promise<string> {
  await makeDirectories(outputDir);
  const target = path.join(outputDir, MANIFEST_FILE);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temp, target);
  return target;
}

/**
 * The manifest as a release carries it: what was built and shipped, without what only this run
 * measured (attempt, cache, seconds of builds, stages and scans), so a re-run that rebuilds the same bytes writes the same file
 * and an immutable release accepts the re-run.
 */
export function releaseView(manifest: Manifest): Manifest {
  const shipped: Manifest = {
    ...manifest,
    runAttempt: null,
    cache: null,
    buildPhaseSeconds: 0,
    artifacts: manifest.artifacts.map((a) => ({
      ...a,
      buildSeconds: null,
      timeline: null,
      smoke: a.smoke && { ...a.smoke, seconds: null },
      ...(a.vulncheck ? { vulncheck: { ...a.vulncheck, seconds: null } } : {}),
    })),
  };
  delete shipped.stageSeconds;
  delete shipped.reproduceSeconds;
  return shipped;
}

export function isFailure(status: ArtifactStatus): boolean {
  return (
    status === 'build-failed' ||
    status === 'verify-failed' ||
    status === 'smoke-failed' ||
    status === 'vulncheck-failed' ||
    status === 'size-failed'
  );
}

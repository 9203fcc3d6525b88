// The typed contexts the stages pass along, in pipeline order. Each stage's entry function takes
// one of them and returns the next; a stage module imports only this file of the pipeline, so no
// stage imports the engine or another stage.
import type { ReusedBinaries } from '../cache/delta.js';
import type { Budget } from '../compile/budget.js';
import type { BuildOutcome } from '../compile/build-target.js';
import type { SourceMetadata } from '../compile/metadata.js';
import type { BuildJob } from '../compile/plan.js';
import type { Timings } from '../compile/schedule.js';
import type { StampContext } from '../compile/stamp.js';
import type { GoModule } from '../go/module.js';
import type { Toolchain } from '../go/toolchain.js';
import type { Logger } from '../log.js';
import type { Options } from '../options/options.js';
import type { ArchiveEntry } from '../package/archive.js';
import type { Archived } from '../package/index.js';
import type {
  ArtifactEntry,
  CacheRecord,
  Manifest,
  SigningRecord,
  SizeReport,
  SmokeRecord,
  TargetTimeline,
} from '../report/manifest.js';
import type { MacosSigner } from '../sign/macos-step.js';
import type { WindowsSigner } from '../sign/windows-step.js';
import type { ResolvedTarget } from '../targets/resolve.js';
import type { VerifyResult } from '../verify/index.js';

export interface EngineContext {
  /** Paths in the manifest and annotations are relative to this (the workspace). */
  readonly baseDir: string;
  /** The environment the job runs in; builds start from it with the target's variables pinned. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
}

export interface Matrix {
  include: Record<string, string | number>[];
}

/** What `mode: plan` hands to the build jobs. */
export interface PlanResult {
  readonly toolchain: Toolchain;
  /** One per build: spellings of one binary are merged (see `aliases`). */
  readonly targets: readonly ResolvedTarget[];
  /** By planned target id: the other spellings of `targets` that build the same binary. */
  readonly aliases: ReadonlyMap<string, readonly string[]>;
  readonly matrix: Matrix;
}

/** What a build hands back to its adapter (the action or the CLI). */
export interface BuildResult {
  readonly manifest: Manifest;
  /** Absolute path of manifest.json. */
  readonly manifestPath: string;
  readonly matrix: Matrix;
  /** Why the artifact upload failed for good; null when it succeeded or was not asked for. */
  readonly uploadError: string | null;
  /** What the artifacts' names start with (given or derived). */
  readonly artifactPrefix: string;
}

/** After prepare: every input checked, the module loaded and every build job planned. */
export interface Prepared {
  /** The options with `package` expanded: jobs, cache keys and universal binaries use this list. */
  readonly options: Options;
  /** The `package` lines as given (a pattern's expansion is known to be main already). */
  readonly given: readonly string[];
  readonly ctx: EngineContext;
  /** The environment every `go` query runs in. */
  readonly env: Record<string, string>;
  /** Where `go` runs: the working directory. */
  readonly cwd: string;
  readonly toolchain: Toolchain;
  readonly module: GoModule;
  readonly metadata: SourceMetadata;
  readonly stamp: StampContext;
  /** One per binary, in the order the manifest lists them. */
  readonly jobs: readonly BuildJob[];
  readonly budget: Budget;
  readonly extraFiles: readonly ArchiveEntry[];
}

/** One built target: how its build went and, when it produced a file, the verifier's verdict. */
export interface TargetResult {
  readonly outcome: BuildOutcome;
  /** The verdict on the file as shipped: the signed file's when it was signed. */
  readonly verify: VerifyResult | null;
  /** The signature this run added (windows/darwin binaries with 'windows-/macos-certificate'); null when none. */
  readonly signed: SigningRecord | null;
  readonly smoke: SmokeRecord | null;
  readonly archive: Archived | null;
  readonly timeline: TargetTimeline;
  /** Where the binary lies now: its output, failed/<name> for a failed target, null when none. */
  readonly file: string | null;
  /** The binary's bytes, kept only when a later step uses them (the darwin slices of `universal`). */
  readonly bytes: Buffer | null;
  /** The file as `go build` wrote it, kept when this run signed it and `reproducible: check` compares it. */
  readonly unsigned: Buffer | null;
}

/** What every target's step (build, verify, smoke test, sign, archive) shares. */
export interface StepContext {
  readonly options: Options;
  readonly ctx: EngineContext;
  /** Where `go build` runs. */
  readonly cwd: string;
  readonly host: {
    readonly goos: string;
    readonly goarch: string;
    readonly goroot: string;
    readonly node: string;
  };
  readonly extraFiles: readonly ArchiveEntry[];
  /** Archive entry dates: the commit date. */
  readonly mtime: Date;
  readonly isolateNetwork: boolean;
  readonly smokeTimeoutMs: number;
  /** The build phase's start (process.hrtime.bigint()); timelines count from it. */
  readonly phaseStarted: bigint;
  readonly stamp: StampContext;
  /** Signs windows binaries; null without 'windows-certificate'. */
  readonly windowsSigner: WindowsSigner | null;
  /** Signs darwin binaries; null without 'macos-certificate'. */
  readonly macosSigner: MacosSigner | null;
  /** Binaries an earlier run built from the same inputs, by path relative to output-dir; null: build every one. */
  readonly reused: ReadonlyMap<string, Buffer> | null;
}

/** After compile: every job's result (built, verified, smoke-tested, signed, archived). */
export interface Built extends Prepared {
  /** Index for index with `jobs`; null for a job fail-fast never started. */
  readonly results: readonly (TargetResult | null)[];
  readonly buildPhaseSeconds: number;
  /** The manifest an earlier run left in output-dir, read before this run wrote into it. */
  readonly previous: Manifest | null;
  /** Where build times are kept for the next run's start order (in GOCACHE), and what it held. */
  readonly timingsPath: string | null;
  readonly previousTimings: Timings;
}

/** After package: the manifest entries, the universal binaries' after the targets'. */
export interface Packaged extends Built {
  readonly artifacts: ArtifactEntry[];
}

/** After the reproduce stage: how long the second builds took; null with `reproducible: off`. */
export interface Reproduced extends Packaged {
  readonly reproduceSeconds: number | null;
}

/** After SBOM: the SBOM files written, with their hashes. */
export interface Described extends Reproduced {
  readonly sboms: readonly { path: string; sha256: string }[];
}

/** After checksums: checksums.txt, or null without `checksums: sha256`. */
export interface Checksummed extends Described {
  readonly checksumsPath: string | null;
}

/** The caches the cache stage restored, saved once the builds are done. */
export interface RestoredCache {
  /** An earlier run's binaries of the same inputs, which the compile stage uses instead of building; null when there are none. */
  readonly reused: ReusedBinaries | null;
  /** Keeps this run's build times (they live in GOCACHE), then saves the caches. */
  save(built: Built): Promise<CacheRecord>;
}

/** Before compile: what the cache stage restored in place of builds. */
export interface Restored extends Prepared {
  readonly reused: ReusedBinaries | null;
}

/** After the size stage: each binary against the baseline; null with size-baseline: off. */
export interface Sized extends Checksummed {
  readonly size: SizeReport | null;
}

/** What the manifest records: the run so far with what the cache stage did. */
export interface Recorded extends Sized {
  readonly cache: CacheRecord;
  /** Seconds of each stage before the manifest, in the order they ran. */
  readonly stageSeconds: Readonly<Record<string, number>>;
}

/** After the manifest is written (and output-dir tidied). */
export interface Reported extends Recorded {
  readonly manifest: Manifest;
  /** Absolute path of manifest.json. */
  readonly manifestPath: string;
}

/** After upload: what the artifacts' names start with, and why the upload failed for good (null when it did not). */
export interface Uploaded extends Reported {
  readonly artifactPrefix: string;
  readonly uploadError: string | null;
}

import os from 'node:os';
import path from 'node:path';
import { buildBudget, withProcessLimit } from './compile/budget.js';
import { pinnedRecord } from './compile/env.js';
import { readSourceMetadata } from './compile/metadata.js';
import type { BuildJob, ResolvedTarget } from './compile/plan.js';
import { planJobs } from './compile/plan.js';
import { runPool } from './compile/pool.js';
import { longestFirst, readTimings, timingsPathIn } from './compile/schedule.js';
import type { StepContext, TargetResult } from './compile/target-step.js';
import { failed, runTargetStep } from './compile/target-step.js';
import { observeProcessStarts } from './exec.js';
import { loadChosenToolchain, queryEnvironment } from './go/chosen-toolchain.js';
import { downloadModules } from './go/download.js';
import { loadModule } from './go/module.js';
import { checkToolchainLines } from './go/toolchain-lines.js';
import type { ExpandContext } from './go/packages.js';
import { checkPackages, expandPackageLines } from './go/packages.js';
import type { Toolchain } from './go/toolchain.js';
import type { Logger } from './log.js';
import { InputError } from './options/errors.js';
import type { Options } from './options/options.js';
import { artifactEntry, checksummed, relativeToBase } from './report/artifact-entry.js';
import type { Manifest } from './report/manifest.js';
import { MANIFEST_FILE, writeManifest } from './report/manifest.js';
import type { RequestedTarget, TargetUniverse } from './targets/expand.js';
import { selectTargets, targetId } from './targets/expand.js';
import { resolveTargets } from './targets/resolve.js';
import { buildMeaning, dedupeTargets } from './targets/meaning.js';
import { resolveExtraFiles, writeChecksums } from './package/index.js';
import { universalBinaries } from './package/universal-step.js';
import { previousManifest, tidyOutputDir } from './package/output-dir.js';
import type { CacheRequest } from './cache/index.js';
import { restoreCaches, saveCaches } from './cache/index.js';
import { canIsolateNetwork } from './smoke/index.js';
import { TOOL } from './version.js';
import { atLeast } from './targets/variants.js';
import { buildvcsDisabled, findVcsDirs, multipleVcsProblem } from './compile/stamp.js';
import { msFromEnv } from './env-knobs.js';
import { prepareWindowsSigner } from './sign/windows-step.js';
import { uploadStep } from './upload/step.js';
import { writeArtifactSboms } from './sbom/step.js';
import { rememberTimings } from './compile/timings-step.js';
import { checkWritable } from './package/output-dir.js';
import { builtWith, runAttempt, workspaceRecord } from './report/records.js';
import { annotateDiagnostics } from './compile/diagnostics.js';
import { reproduceStage } from './reproduce/index.js';

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

export interface PlanResult {
  readonly toolchain: Toolchain;
  /** One per build: spellings of one binary are merged (see `aliases`). */
  readonly targets: readonly ResolvedTarget[];
  /** By planned target id: the other spellings of `targets` that build the same binary. */
  readonly aliases: ReadonlyMap<string, readonly string[]>;
  readonly matrix: Matrix;
}

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

function universeOf(toolchain: Toolchain): TargetUniverse {
  return {
    dist: toolchain.dist,
    broken: toolchain.broken,
    goVersion: toolchain.version,
    release: toolchain.release,
  };
}

function expandContext(
  options: Options,
  env: Record<string, string>,
  targets: readonly RequestedTarget[],
): ExpandContext {
  return {
    workingDirectory: options.workingDirectory,
    env,
    platforms: targets,
    tags: options.tags,
    cgoEnabled: options.cgoEnabled,
  };
}

/** Splits targets into `chunks` contiguous groups of nearly equal size (never an empty group). */
export function chunkTargets<T>(targets: readonly T[], chunks: number): T[][] {
  const count = Math.max(1, Math.min(chunks, targets.length));
  const groups: T[][] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const size = Math.floor(targets.length / count) + (i < targets.length % count ? 1 : 0);
    groups.push(targets.slice(start, start + size));
    start += size;
  }
  return groups;
}

export async function planMatrix(options: Options, ctx: EngineContext): Promise<PlanResult> {
  const env = queryEnvironment(ctx.env, options.env);
  const toolchain = await loadChosenToolchain(options.workingDirectory, env, options.env);
  const selected = selectTargets(options.targets, options.exclude, universeOf(toolchain));
  // A pattern that matches no main package fails here already, before any build job starts.
  if (options.mode === 'plan') {
    await expandPackageLines(options.packages, expandContext(options, env, selected), ctx.log);
  }
  // One build per binary: two spellings of it in two legs would both upload it.
  const resolved = await resolveTargets(selected, options.workingDirectory, env);
  const { kept: targets, aliases } = dedupeTargets(resolved);
  for (const [id, others] of aliases) {
    ctx.log.info(
      `${others.join(', ')} builds the same binary as ${id} with ${toolchain.version}: planned once, as ${id}.`,
    );
  }
  const groups = chunkTargets(targets, options.chunks);
  if (options.chunks > groups.length) {
    ctx.log.info(
      `${targets.length} target(s) fill only ${groups.length} of the ${options.chunks} chunks asked for.`,
    );
  }
  return {
    toolchain,
    targets,
    aliases,
    matrix: { include: groups.map((group, i) => ({ chunk: i + 1, targets: group.map(targetId).join(' ') })) },
  };
}

export async function buildMatrix(options: Options, ctx: EngineContext): Promise<BuildResult> {
  // Every command exactly as started, in the debug log (runner debug logging, CLI --verbose).
  const stop = observeProcessStarts(({ argv, cwd }) =>
    ctx.log.debug(`run ${JSON.stringify(argv)} in ${cwd}`),
  );
  try {
    return await buildPipeline(options, ctx);
  } finally {
    stop();
  }
}

async function buildPipeline(options: Options, ctx: EngineContext): Promise<BuildResult> {
  const { log } = ctx;
  const env = queryEnvironment(ctx.env, options.env);
  const cwd = options.workingDirectory;
  const toolchain = await loadChosenToolchain(cwd, env, options.env);
  // Targets first: a misspelt target is reported before anything else is asked of Go.
  const requested = selectTargets(options.targets, options.exclude, universeOf(toolchain));
  const wholeMatrix =
    options.matrixTargets === null
      ? []
      : selectTargets(options.matrixTargets, options.exclude, universeOf(toolchain), 'matrix-targets');
  const [module, metadata, resolved] = await Promise.all([
    loadModule(cwd, env, options.flags, options.packages),
    readSourceMetadata(cwd, env, options.version),
    resolveTargets([...requested, ...wholeMatrix], cwd, env),
  ]);
  const targets = resolved.slice(0, requested.length);
  const matrixTargets = resolved.slice(requested.length);
  checkInMatrix(options, targets, matrixTargets);
  log.info(
    `${toolchain.version} (${toolchain.hostGoos}/${toolchain.hostGoarch}), module ${module.path}, version ${metadata.version}`,
  );
  checkToolchainLines(module, toolchain, env.GOTOOLCHAIN ?? 'local', ctx);
  checkToolchainKnows(options, toolchain, requested, log);
  checkCompilerLines(options, toolchain, requested, log);
  const given = options.packages;
  const { packages, onlyFor } = await expandPackageLines(given, expandContext(options, env, requested), log);
  // From here on (jobs, cache keys, universal binaries) `package` is the expanded list.
  options = { ...options, packages };
  const stamp = {
    version: metadata.version,
    release: toolchain.release,
    buildvcsOff: buildvcsDisabled(toolchain.goflags, options.flags),
    vcsDirs: findVcsDirs(module.dir),
  };
  const vcsProblem = multipleVcsProblem(toolchain.version, stamp, options.env.GODEBUG ?? env.GODEBUG ?? '');
  if (vcsProblem !== null) throw new InputError('working-directory', module.dir, vcsProblem);
  const { jobs: planned, merged } = planJobs({
    options,
    toolchain,
    module,
    metadata,
    targets,
    baseEnv: ctx.env,
    onlyFor,
    matrixTargets,
  });
  for (const { dropped, kept } of merged) {
    log.info(
      `${dropped} builds the same binary as ${kept} with ${toolchain.version}: building it once, as ${kept}.`,
    );
  }
  const budget = buildBudget(
    options.parallel,
    planned.length,
    { cpus: os.availableParallelism(), totalMemory: os.totalmem() },
    options.flags,
  );
  const jobs = withProcessLimit(planned, budget);
  const { count, targetIds } = buildsLine(jobs);
  log.info(
    `Building ${count}, ${budget.targets} at a time${budget.processes === null ? '' : ` (go build -p=${budget.processes})`}: ${targetIds}`,
  );
  await checkWritable(options.outputDir);
  const extraFiles = await resolveExtraFiles(options.extraFiles, options.workingDirectory);
  const cacheRequest: CacheRequest = {
    mode: options.cache,
    keyPrefix: options.cacheKeyPrefix,
    env: ctx.env,
    goVersion: toolchain.version,
    gocache: toolchain.gocache,
    gomodcache: toolchain.gomodcache,
    moduleDir: module.dir,
    workspace: module.workspace && {
      file: module.workspace.file,
      moduleDirs: module.workspace.modules.map((m) => m.dir),
    },
    commitSeconds: Math.floor(Date.parse(metadata.date) / 1000),
    packages: options.packages,
    compileInputs: compileInputs(jobs, options, env, module.path),
    timeoutMs: msFromEnv(ctx.env, 'GO_BUILD_MATRIX_CACHE_TIMEOUT_MS'),
    cleanupToken: options.cacheCleanup === 'auto' ? options.githubToken : null,
    apiRetryMs: msFromEnv(ctx.env, 'GO_BUILD_MATRIX_API_RETRY_MS'),
  };
  const restored = await restoreCaches(cacheRequest, log);
  await downloadModules(module, options.packages, options.tags, cwd, env, log);
  // The lines as given: what a pattern expanded to is main already.
  await checkPackages(given, module, options.workingDirectory, env);

  const isolateNetwork = options.smokeTest !== null && (await canIsolateNetwork(ctx.env));
  if (options.smokeTest !== null && !isolateNetwork) {
    log.info(
      'Smoke tests run with the network reachable: this machine does not allow a network namespace (unshare).',
    );
  }
  const previous = await previousManifest(options.outputDir, log);
  const timingsPath = timingsPathIn(toolchain.gocache);
  const previousTimings = await readTimings(path.join(options.outputDir, MANIFEST_FILE), timingsPath);
  const order = longestFirst(jobs, previousTimings, module.path);
  log.debug(`Start order (longest expected first): ${order.map((j) => j.target.id).join(' ')}`);
  // Before any build: a missing signer or a wrong password is one error, not one per target.
  const windowsSigner =
    options.windowsSigning === null
      ? null
      : await prepareWindowsSigner({ signing: options.windowsSigning, env: ctx.env, log });
  const step: StepContext = {
    options,
    ctx,
    cwd,
    host: {
      goos: toolchain.hostGoos,
      goarch: toolchain.hostGoarch,
      goroot: toolchain.goroot,
      node: process.execPath,
    },
    extraFiles,
    mtime: new Date(metadata.date),
    isolateNetwork,
    smokeTimeoutMs: msFromEnv(ctx.env, 'GO_BUILD_MATRIX_SMOKE_TIMEOUT_MS') ?? DEFAULT_SMOKE_TIMEOUT_MS,
    phaseStarted: process.hrtime.bigint(),
    stamp,
    windowsSigner,
  };
  const finished = await runPool(
    order,
    budget.targets,
    options.failFast,
    (job, release) => runTargetStep(job, step, release),
    (result) => result !== null && failed(result),
    (): TargetResult | null => null,
  ).finally(() => windowsSigner?.dispose());
  const resultOf = new Map(order.map((job, i) => [job, finished[i] ?? null]));
  const results = jobs.map((job) => resultOf.get(job) ?? null);
  const buildPhaseSeconds = Number(process.hrtime.bigint() - step.phaseStarted) / 1e9;
  const firstFailure = results.find((r) => r !== null && failed(r));
  let artifacts = jobs.map((job, i) =>
    artifactEntry(job, results[i] ?? null, ctx, firstFailure?.outcome.job.target.id, options.smokeTest ?? []),
  );
  if (options.universal) {
    artifacts.push(
      ...(await universalBinaries({
        jobs,
        artifacts,
        results,
        options,
        metadata,
        extraFiles,
        mtime: step.mtime,
        ctx,
      })),
    );
  }
  // Before anything hashes or ships the files; it compares the unsigned file of a signed one.
  const reproduced =
    options.reproducible === 'check'
      ? await reproduceStage({
          jobs,
          results,
          artifacts,
          module,
          cwd,
          outputDir: options.outputDir,
          userEnv: options.env,
          trimpath: options.trimpath,
          parallel: budget.targets,
          timeoutMs: options.buildTimeoutMs,
          env,
          log,
        })
      : null;
  if (reproduced !== null) artifacts = reproduced.artifacts;
  const sboms = await writeArtifactSboms(artifacts, options, metadata.date, ctx);
  const checksumsPath =
    options.checksums === 'sha256'
      ? await writeChecksums(options.outputDir, [...checksummed(artifacts, ctx), ...sboms])
      : null;
  await rememberTimings(timingsPath, module.path, previousTimings, results, log);
  // Saved even when targets failed: their successful compiles are still worth keeping.
  const cacheResult = await saveCaches(cacheRequest, restored, log);
  annotateDiagnostics(
    results.filter((r): r is TargetResult => r !== null).map((r) => r.outcome),
    log,
  );

  const manifest: Manifest = {
    schemaVersion: 1,
    tool: { name: TOOL.name, version: TOOL.version },
    go: {
      version: builtWith(artifacts, toolchain.version, log),
      hostGoos: toolchain.hostGoos,
      hostGoarch: toolchain.hostGoarch,
    },
    module: module.path,
    workspace: workspaceRecord(module, ctx),
    version: metadata.version,
    commit: metadata.commit,
    date: metadata.date,
    runAttempt: runAttempt(ctx.env),
    cache: cacheResult,
    buildPhaseSeconds: Math.round(buildPhaseSeconds * 100) / 100,
    ...(reproduced !== null ? { reproduceSeconds: reproduced.seconds } : {}),
    checksums: checksumsPath === null ? null : relativeToBase(checksumsPath, ctx),
    artifacts,
  };
  const manifestPath = await writeManifest(options.outputDir, manifest);
  await tidyOutputDir(
    {
      outputDir: options.outputDir,
      baseDir: ctx.baseDir,
      workingDirectory: cwd,
      previous,
      current: manifest,
    },
    log,
  );
  // Empty unless given: the artifact names of a plain build are the ones artifact-name promises.
  const prefix = options.artifactPrefix ?? '';
  const uploadError = await uploadStep(
    options,
    prefix,
    manifest,
    jobs,
    [manifestPath, ...(checksumsPath ? [checksumsPath] : [])],
    ctx,
  );
  const matrix: Matrix = {
    include: jobs.map((job) => ({
      targets: job.target.id,
      goos: job.target.goos,
      goarch: job.target.goarch,
      variant: job.target.variant ?? '',
    })),
  };
  return { manifest, manifestPath, matrix, uploadError, artifactPrefix: prefix };
}

/** GITHUB_RUN_ATTEMPT (1 for a run's first attempt), or null outside Actions. */
/** Every target of this job must be one of `matrix-targets` (by what it builds), or its name could differ between legs. */
function checkInMatrix(
  options: Options,
  targets: readonly ResolvedTarget[],
  matrixTargets: readonly ResolvedTarget[],
): void {
  if (options.matrixTargets === null) return;
  const builds = new Set(matrixTargets.map(buildMeaning));
  const outside = targets.filter((t) => !builds.has(buildMeaning(t))).map((t) => t.id);
  if (outside.length > 0) {
    throw new InputError(
      'matrix-targets',
      options.matrixTargets,
      `It names the whole matrix this job builds part of, and it does not hold ${outside.join(', ')} of 'targets'; add ${outside.length === 1 ? 'it' : 'them'}, or leave matrix-targets empty when this job builds the whole matrix.`,
    );
  }
}

/** What the build phase starts, each target named once: `4 target(s)`, or `8 binaries (2 package(s) for 4 target(s))`. */
function buildsLine(jobs: readonly BuildJob[]): { count: string; targetIds: string } {
  const targets = [...new Set(jobs.map((j) => j.target.id))];
  const packages = new Set(jobs.map((j) => j.package)).size;
  const count =
    packages === 1
      ? `${targets.length} target(s)`
      : `${jobs.length} binaries (${packages} package(s) for ${targets.length} target(s))`;
  return { count, targetIds: targets.join(' ') };
}

/**
 * Settings this toolchain would silently not honour: GOFIPS140 before Go 1.24 (an error: the
 * binaries would not have the FIPS module they were asked for), GOWASM from Go 1.26 (a note:
 * the compiler always uses those features, so the binary is what it would be anyway).
 */
function checkToolchainKnows(
  options: Options,
  toolchain: Toolchain,
  requested: readonly RequestedTarget[],
  log: Logger,
): void {
  const fips = options.env.GOFIPS140;
  if (fips !== undefined && fips !== 'off' && !atLeast(toolchain.release, [1, 24])) {
    throw new InputError(
      'env',
      `GOFIPS140=${fips}`,
      `GOFIPS140 needs Go 1.24 or newer, and ${toolchain.version} would build without the FIPS 140 module; install a newer Go before this step or drop the line.`,
    );
  }
  const wasm = requested.filter((t) => t.goarch === 'wasm' && t.variant !== null).map(targetId);
  if (wasm.length > 0 && atLeast(toolchain.release, [1, 26])) {
    log.info(
      `${toolchain.version} ignores GOWASM: the compiler always uses satconv and signext since Go 1.26, so ${wasm.join(', ')} build${wasm.length === 1 ? 's' : ''} the same code as without the variant.`,
    );
  }
}

/**
 * A `cc` line is checked like a target: a misspelt GOOS/GOARCH would silently never be used. A
 * line for a real target outside this matrix is only a warning (one `cc` list may serve several
 * jobs' matrices).
 */
function checkCompilerLines(
  options: Options,
  toolchain: Toolchain,
  requested: readonly RequestedTarget[],
  log: Logger,
): void {
  const universe = universeOf(toolchain);
  for (const [target, compiler] of options.cc) {
    try {
      selectTargets(target, '', universe);
    } catch (err) {
      if (err instanceof InputError) throw new InputError('cc', `${target}=${compiler}`, err.expected);
      throw err;
    }
    if (!requested.some((t) => `${t.goos}/${t.goarch}` === target)) {
      log.warning(
        `Input 'cc' names a compiler for ${target}, which is not among the targets built here (${requested.map(targetId).join(' ')}); it is not used.`,
      );
    }
  }
}

const DEFAULT_SMOKE_TIMEOUT_MS = 60_000;

/** Everything that changes compiled output, for the GOCACHE key (link flags do not: links are not cached). */
function compileInputs(
  jobs: readonly BuildJob[],
  options: Options,
  env: Record<string, string>,
  module: string,
): string[] {
  return [
    ...jobs.map((job) =>
      Object.entries(pinnedRecord(job.pinned))
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ),
    // Another module of the repository building the same targets keeps its own entries.
    `module=${module}`,
    // Legs (or workflows) building other packages of it too: one line of entries each.
    `packages=${[...options.packages].sort().join(',')}`,
    `tags=${options.tags.join(',')}`,
    `flags=${JSON.stringify(options.flags)}`,
    `trimpath=${options.trimpath}`,
    `env=${JSON.stringify(options.env)}`,
    `GOFLAGS=${env.GOFLAGS ?? ''}`,
  ];
}

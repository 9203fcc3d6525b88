import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BuildOutcome } from './build/build-target.js';
import { buildTarget } from './build/build-target.js';
import { mergeDiagnostics } from './build/diagnostics.js';
import { pinnedRecord } from './build/env.js';
import { readSourceMetadata } from './build/metadata.js';
import type { BuildJob } from './build/plan.js';
import { executableExtension, planJobs } from './build/plan.js';
import { runPool } from './build/pool.js';
import { verifyBuilt } from './build/verify-step.js';
import { goQuery } from './go/command.js';
import type { GoModule } from './go/module.js';
import { directiveNewerThan, loadModule } from './go/module.js';
import type { Toolchain } from './go/toolchain.js';
import { loadToolchain } from './go/toolchain.js';
import type { Logger } from './log.js';
import type { Options } from './options/options.js';
import { PINNED_VARIABLES } from './options/options.js';
import type { ArtifactEntry, Manifest, SmokeRecord } from './report/manifest.js';
import { writeManifest } from './report/manifest.js';
import type { RequestedTarget, TargetUniverse } from './targets/expand.js';
import { selectTargets, targetId } from './targets/expand.js';
import { resolveTargets } from './targets/resolve.js';
import type { VerifyResult } from './verify/index.js';
import type { Archived } from './package/index.js';
import { archiveBinary, archiveKind, resolveExtraFiles, writeChecksums } from './package/index.js';
import { universalBinaries } from './package/universal-step.js';
import type { CacheRequest } from './cache/index.js';
import { restoreCaches, saveCaches } from './cache/index.js';
import { DEFAULT_COMBINED_TEMPLATE, DEFAULT_PER_TARGET_TEMPLATE } from './upload/names.js';
import { renderArtifactName, uploadArtifacts } from './upload/index.js';
import { canIsolateNetwork, smokePassed, smokeTest } from './smoke/index.js';
import { TOOL } from './version.js';

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
  readonly targets: readonly RequestedTarget[];
  readonly matrix: Matrix;
}

export interface BuildResult {
  readonly manifest: Manifest;
  /** Absolute path of manifest.json. */
  readonly manifestPath: string;
  readonly matrix: Matrix;
  /** Why the artifact upload failed for good; null when it succeeded or was not asked for. */
  readonly uploadError: string | null;
}

/** The job's environment for `go` queries: nothing that selects a target, and no toolchain switching. */
function queryEnvironment(env: EngineContext['env']): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !PINNED_VARIABLES.includes(key)) clean[key] = value;
  }
  clean.GOTOOLCHAIN = 'local';
  return clean;
}

function universeOf(toolchain: Toolchain): TargetUniverse {
  return { dist: toolchain.dist, goVersion: toolchain.version, release: toolchain.release };
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
  const env = queryEnvironment(ctx.env);
  const toolchain = await loadToolchain(options.workingDirectory, env);
  const targets = selectTargets(options.targets, options.exclude, universeOf(toolchain));
  const groups = chunkTargets(targets, options.chunks);
  if (options.chunks > groups.length) {
    ctx.log.info(
      `${targets.length} target(s) fill only ${groups.length} of the ${options.chunks} chunks asked for.`,
    );
  }
  return {
    toolchain,
    targets,
    matrix: { include: groups.map((group, i) => ({ chunk: i + 1, targets: group.map(targetId).join(' ') })) },
  };
}

export async function buildMatrix(options: Options, ctx: EngineContext): Promise<BuildResult> {
  const { log } = ctx;
  const env = queryEnvironment(ctx.env);
  const cwd = options.workingDirectory;
  const toolchain = await loadToolchain(cwd, env);
  // Targets first: a misspelt target is reported before anything else is asked of Go.
  const requested = selectTargets(options.targets, options.exclude, universeOf(toolchain));
  const [module, metadata, targets] = await Promise.all([
    loadModule(cwd, env),
    readSourceMetadata(cwd, env, options.version),
    resolveTargets(requested, cwd, env),
  ]);
  log.info(
    `Go ${toolchain.version} (${toolchain.hostGoos}/${toolchain.hostGoarch}), module ${module.path}, version ${metadata.version}`,
  );
  if (module.goDirective && directiveNewerThan(module.goDirective, toolchain.version)) {
    log.warning(
      `go.mod asks for go ${module.goDirective} but the toolchain on PATH is ${toolchain.version}; with GOTOOLCHAIN=local no other Go is downloaded. Install Go ${module.goDirective} or newer before this step.`,
      { file: path.relative(ctx.baseDir, path.join(module.dir, 'go.mod')) },
    );
  }
  const { jobs, merged } = planJobs({ options, toolchain, module, metadata, targets, baseEnv: ctx.env });
  for (const { dropped, kept } of merged) {
    log.info(
      `${dropped} builds the same binary as ${kept} with ${toolchain.version}: building it once, as ${kept}.`,
    );
  }
  log.info(
    `Building ${jobs.length} target(s), ${options.parallel} at a time: ${jobs.map((j) => j.target.id).join(' ')}`,
  );
  await mkdir(options.outputDir, { recursive: true });
  const extraFiles = await resolveExtraFiles(options.extraFiles, options.workingDirectory);
  const mtime = new Date(metadata.date);
  const cacheRequest: CacheRequest = {
    mode: options.cache,
    keyPrefix: options.cacheKeyPrefix,
    env: ctx.env,
    goVersion: toolchain.version,
    gocache: toolchain.gocache,
    gomodcache: toolchain.gomodcache,
    moduleDir: module.dir,
    compileInputs: compileInputs(jobs, options, env),
    timeoutMs: msFromEnv(ctx.env, 'GO_BUILD_MATRIX_CACHE_TIMEOUT_MS'),
  };
  const restored = await restoreCaches(cacheRequest, log);
  await downloadModules(module, env, log);

  const isolateNetwork = options.smokeTest !== null && (await canIsolateNetwork(ctx.env));
  if (options.smokeTest !== null && !isolateNetwork) {
    log.info(
      'Smoke tests run with the network reachable: this machine does not allow a network namespace (unshare).',
    );
  }
  const smokeTimeoutMs = msFromEnv(ctx.env, 'GO_BUILD_MATRIX_SMOKE_TIMEOUT_MS') ?? DEFAULT_SMOKE_TIMEOUT_MS;
  const buildPhaseStarted = process.hrtime.bigint();
  const results = await runPool(
    jobs,
    options.parallel,
    options.failFast,
    async (job): Promise<TargetResult> => {
      log.debug(`${job.target.id}: ${JSON.stringify(job.argv)}`);
      const outcome = await buildTarget(job, cwd, ctx.baseDir, options.buildTimeoutMs);
      // Verified as soon as it is built, while other targets are still compiling.
      const verify = outcome.ok && options.verify ? await verifyBuilt(job, options) : null;
      const smoke =
        outcome.ok && verify?.ok !== false && options.smokeTest !== null
          ? await smokeTest({
              binary: job.output,
              goos: job.target.goos,
              goarch: job.target.goarch,
              args: options.smokeTest,
              host: { goos: toolchain.hostGoos, goarch: toolchain.hostGoarch },
              verify,
              env: ctx.env,
              timeoutMs: smokeTimeoutMs,
              isolateNetwork,
            })
          : null;
      const kind = archiveKind(options.archive, job.target.goos);
      const archive =
        outcome.ok && verify?.ok !== false && (smoke === null || smokePassed(smoke)) && kind !== null
          ? await archiveBinary(
              job.output,
              `${job.name}${extensionOf(job)}`,
              extensionOf(job),
              kind,
              extraFiles,
              mtime,
            )
          : null;
      const result = { outcome, verify, smoke, archive };
      reportResult(result, ctx, options.smokeTest ?? []);
      return result;
    },
    (result) => result !== null && failed(result),
    (): TargetResult | null => null,
  );
  const buildPhaseSeconds = Number(process.hrtime.bigint() - buildPhaseStarted) / 1e9;
  const firstFailure = results.find((r) => r !== null && failed(r));
  const artifacts = jobs.map((job, i) =>
    artifactEntry(job, results[i] ?? null, ctx, firstFailure?.outcome.job.target.id, options.smokeTest ?? []),
  );
  if (options.universal) {
    artifacts.push(
      ...(await universalBinaries({ jobs, artifacts, options, metadata, extraFiles, mtime, ctx })),
    );
  }
  const checksumsPath =
    options.checksums === 'sha256'
      ? await writeChecksums(options.outputDir, checksummed(artifacts, ctx))
      : null;
  // Saved even when targets failed: their successful compiles are still worth keeping.
  const cacheResult = await saveCaches(cacheRequest, restored, log);
  annotateDiagnostics(
    results.filter((r): r is TargetResult => r !== null).map((r) => r.outcome),
    log,
  );

  const manifest: Manifest = {
    schemaVersion: 1,
    tool: { name: TOOL.name, version: TOOL.version },
    go: { version: toolchain.version, hostGoos: toolchain.hostGoos, hostGoarch: toolchain.hostGoarch },
    module: module.path,
    version: metadata.version,
    commit: metadata.commit,
    date: metadata.date,
    cache: cacheResult,
    buildPhaseSeconds: Math.round(buildPhaseSeconds * 100) / 100,
    checksums: checksumsPath === null ? null : relativeToBase(checksumsPath, ctx),
    artifacts,
  };
  const manifestPath = await writeManifest(options.outputDir, manifest);
  const uploadError = await upload(
    options,
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
  return { manifest, manifestPath, matrix, uploadError };
}

/**
 * Timing knobs read from the environment rather than inputs (they tune the runner, not the
 * build): GO_BUILD_MATRIX_CACHE_TIMEOUT_MS bounds each cache call, GO_BUILD_MATRIX_UPLOAD_RETRY_MS
 * is the first pause between upload attempts, GO_BUILD_MATRIX_SMOKE_TIMEOUT_MS bounds a smoke run.
 */
function msFromEnv(env: EngineContext['env'], name: string): number | undefined {
  const value = env[name];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function retryOf(delayMs: number | undefined): { attempts: number; delayMs: number } | undefined {
  return delayMs === undefined ? undefined : { attempts: 3, delayMs };
}

/** Everything that changes compiled output, for the GOCACHE key (link flags do not: links are not cached). */
function compileInputs(jobs: readonly BuildJob[], options: Options, env: Record<string, string>): string[] {
  return [
    ...jobs.map((job) =>
      Object.entries(pinnedRecord(job.pinned))
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ),
    `tags=${options.tags.join(',')}`,
    `flags=${JSON.stringify(options.flags)}`,
    `trimpath=${options.trimpath}`,
    `env=${JSON.stringify(options.env)}`,
    `GOFLAGS=${env.GOFLAGS ?? ''}`,
  ];
}

/**
 * Uploads the packaged files (the archive when there is one, so the exec bit survives the
 * download) with the manifest and checksums. Returns the reason when the upload failed for good.
 */
async function upload(
  options: Options,
  manifest: Manifest,
  jobs: readonly BuildJob[],
  sharedFiles: string[],
  ctx: EngineContext,
): Promise<string | null> {
  if (options.upload === 'false') return null;
  const template =
    options.artifactName ??
    (options.upload === 'combined' ? DEFAULT_COMBINED_TEMPLATE : DEFAULT_PER_TARGET_TEMPLATE);
  try {
    const targets = manifest.artifacts
      .filter((a) => a.status === 'ok')
      .map((a) => {
        const job = jobs.find((j) => j.target.id === a.target && j.package === a.package);
        return {
          artifactName: renderArtifactName(template, {
            name: a.name,
            goos: a.goos,
            goarch: a.goarch,
            variant: job?.variantSuffix ?? '',
          }),
          files: [path.resolve(ctx.baseDir, a.archive ?? (a.path as string))],
        };
      });
    const first = manifest.artifacts[0];
    await uploadArtifacts(
      {
        mode: options.upload,
        rootDirectory: options.outputDir,
        targets,
        combinedName: renderArtifactName(template, {
          name: first?.name ?? 'go-build-matrix',
          goos: '',
          goarch: '',
          variant: '',
        }),
        sharedFiles,
        retentionDays: options.retentionDays,
        env: ctx.env,
        retry: retryOf(msFromEnv(ctx.env, 'GO_BUILD_MATRIX_UPLOAD_RETRY_MS')),
      },
      ctx.log,
    );
    return null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    ctx.log.error(message, { title: 'upload' });
    return message;
  }
}

async function downloadModules(module: GoModule, env: Record<string, string>, log: Logger): Promise<void> {
  if (!module.hasDependencies || module.vendored) {
    log.debug(
      module.vendored ? 'Dependencies are vendored: nothing to download.' : 'The module has no dependencies.',
    );
    return;
  }
  // Once, before the fan-out, so parallel builds do not race to fetch the same modules.
  log.info('Downloading module dependencies (go mod download)…');
  try {
    await goQuery(['mod', 'download'], module.dir, env);
  } catch (err) {
    throw new Error(
      `The module's dependencies could not be downloaded, so no target can build. ${(err as Error).message}`,
    );
  }
}

/** One built target: how its build went and, when it produced a file, the verifier's verdict. */
interface TargetResult {
  readonly outcome: BuildOutcome;
  readonly verify: VerifyResult | null;
  readonly smoke: SmokeRecord | null;
  readonly archive: Archived | null;
}

function extensionOf(job: BuildJob): string {
  return executableExtension(job.target.goos, job.target.goarch);
}

function relativeToBase(file: string, ctx: EngineContext): string {
  return path.relative(ctx.baseDir, file).split(path.sep).join('/');
}

/** Every file that was built and passed: binaries and archives, for checksums.txt. */
function checksummed(
  artifacts: readonly ArtifactEntry[],
  ctx: EngineContext,
): { path: string; sha256: string }[] {
  const files: { path: string; sha256: string }[] = [];
  for (const a of artifacts) {
    if (a.status !== 'ok') continue;
    if (a.path !== null && a.sha256 !== null)
      files.push({ path: path.resolve(ctx.baseDir, a.path), sha256: a.sha256 });
    if (a.archive !== null && a.archiveSha256 !== null) {
      files.push({ path: path.resolve(ctx.baseDir, a.archive), sha256: a.archiveSha256 });
    }
  }
  return files;
}

function failed(result: TargetResult): boolean {
  return (
    !result.outcome.ok || result.verify?.ok === false || (result.smoke !== null && !smokePassed(result.smoke))
  );
}

const DEFAULT_SMOKE_TIMEOUT_MS = 60_000;

function describeSmoke(smoke: SmokeRecord, args: readonly string[]): string {
  const how = `the smoke test (${[...args].join(' ') || 'no arguments'}) under ${smoke.via ?? 'no runner'}`;
  const first = smoke.output[0] ? `: ${smoke.output[0]}` : '';
  if (smoke.timedOut) return `${how} did not finish within its time limit${first}`;
  if (smoke.exitCode === null) return `${how} could not run: ${smoke.reason ?? 'unknown'}`;
  return `${how} exited with status ${smoke.exitCode}${first}`;
}

function reportResult(
  { outcome, verify, smoke }: TargetResult,
  ctx: EngineContext,
  smokeArgs: readonly string[],
): void {
  const { job } = outcome;
  const relative = path.relative(ctx.baseDir, job.output);
  const pinned = Object.entries(pinnedRecord(job.pinned))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const lines = [`env: ${pinned}`];
  if (outcome.ok) lines.push(`wrote ${relative} (${outcome.size} bytes, sha256 ${outcome.sha256})`);
  if (verify)
    lines.push(
      verify.ok
        ? `verified: ${describeVerdict(verify)}`
        : `verification failed: ${verify.problems.join(' ')}`,
    );
  if (verify) lines.push(...verify.notes.map((n) => `note: ${n}`));
  if (smoke) {
    lines.push(
      smoke.ran
        ? `smoke test via ${smoke.via}: exit ${smoke.exitCode ?? '–'}${smoke.timedOut ? ' (timed out)' : ''} in ${smoke.seconds ?? '–'} s`
        : `smoke test skipped: ${smoke.reason ?? ''}`,
      ...smoke.output.map((l) => `  | ${l}`),
    );
    if (!smokePassed(smoke)) {
      ctx.log.error(`${job.target.id}: ${describeSmoke(smoke, smokeArgs)}`, {
        title: `smoke test ${job.target.id}`,
      });
    }
  }
  if (outcome.output) lines.push(...outcome.output.split('\n'));
  const time = outcome.seconds === null ? '' : ` in ${outcome.seconds.toFixed(1)} s`;
  const ok = outcome.ok && verify?.ok !== false && (smoke === null || smokePassed(smoke));
  ctx.log.group(`${ok ? '✓' : '✗'} ${job.target.id} (${job.package})${time}`, lines);
  if (!outcome.ok && outcome.diagnostics.length === 0) {
    ctx.log.error(`${job.target.id}: ${outcome.error ?? 'build failed'}`, {
      title: `go build ${job.target.id}`,
    });
  }
  if (verify && !verify.ok) {
    ctx.log.error(`${relative} is not a valid ${job.target.id} binary: ${verify.problems.join(' ')}`, {
      title: `verify ${job.target.id}`,
    });
  }
}

function describeVerdict(v: VerifyResult): string {
  const parts = [v.format, v.bits === null ? null : `${v.bits}-bit`, v.endian, v.machine, v.os, v.linkage];
  return parts.filter((p) => p !== null).join(' ');
}

function annotateDiagnostics(outcomes: readonly BuildOutcome[], log: Logger): void {
  const merged = mergeDiagnostics(
    outcomes.map((o) => ({ target: o.job.target.id, diagnostics: o.diagnostics })),
  );
  for (const { diagnostic, targets } of merged) {
    log.error(`${diagnostic.message} (${targets.join(', ')})`, {
      file: diagnostic.file,
      line: diagnostic.line,
      ...(diagnostic.col !== null ? { col: diagnostic.col } : {}),
      title: 'go build',
    });
  }
}

function artifactEntry(
  job: BuildJob,
  result: TargetResult | null,
  ctx: EngineContext,
  firstFailure: string | undefined,
  smokeArgs: readonly string[],
): ArtifactEntry {
  const outcome = result?.outcome ?? null;
  const verify = result?.verify ?? null;
  const built = outcome?.ok === true;
  const smoke = result?.smoke ?? null;
  const smokeFailed = smoke !== null && !smokePassed(smoke);
  const status =
    outcome === null
      ? 'skipped'
      : !built
        ? 'build-failed'
        : verify?.ok === false
          ? 'verify-failed'
          : smokeFailed
            ? 'smoke-failed'
            : 'ok';
  return {
    name: job.name,
    package: job.package,
    target: job.target.id,
    goos: job.target.goos,
    goarch: job.target.goarch,
    env: pinnedRecord(job.pinned),
    status,
    path: built ? relativeToBase(job.output, ctx) : null,
    archive: result?.archive ? relativeToBase(result.archive.path, ctx) : null,
    archiveSha256: result?.archive?.sha256 ?? null,
    size: outcome?.size ?? null,
    sha256: outcome?.sha256 ?? null,
    buildSeconds: outcome?.seconds == null ? null : Math.round(outcome.seconds * 100) / 100,
    verify,
    smoke,
    error:
      outcome === null
        ? `not built: fail-fast stopped the matrix after ${firstFailure ?? 'a target'} failed`
        : (outcome.error ??
          (verify && !verify.ok
            ? verify.problems.join(' ')
            : smoke && smokeFailed
              ? describeSmoke(smoke, smokeArgs)
              : null)),
  };
}

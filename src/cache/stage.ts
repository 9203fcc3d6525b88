// The cache stage: GOCACHE and GOMODCACHE restored before the modules are downloaded, saved after
// the builds (even when targets failed: their successful compiles are still worth keeping).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pinnedRecord } from '../compile/env.js';
import { failed } from '../compile/target-step.js';
import { run as runCommand } from '../exec.js';
import type { BuildJob } from '../compile/plan.js';
import { rememberTimings } from '../compile/timings-step.js';
import { msFromEnv } from '../env-knobs.js';
import type { Options } from '../options/options.js';
import type { Built, Prepared, RestoredCache } from '../pipeline/context.js';
import { globUnsafe } from './delta.js';
import { inputsFingerprint, localReplacements } from './fingerprint.js';
import type { CacheRequest } from './index.js';
import { restoreCaches, saveCaches } from './index.js';

export async function cacheStage(run: Prepared): Promise<RestoredCache> {
  const { options, ctx, toolchain, module, metadata, jobs, env } = run;
  const request: CacheRequest = {
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
  const fingerprint = await fingerprintOf(run, request);
  const wanted = jobs.map((job) => path.relative(options.outputDir, job.output));
  const restored = await restoreCaches(
    {
      ...request,
      fingerprint,
      binaries: fingerprint === null ? null : { outputDir: options.outputDir, files: wanted },
    },
    ctx.log,
  );
  return {
    reused: restored.reused,
    save: async (built) => {
      if (restored.reused === null) {
        await rememberTimings(built.timingsPath, module.path, built.previousTimings, built.results, ctx.log);
      }
      const binaries = fingerprint === null ? null : await binariesToSave(built);
      return saveCaches({ ...request, fingerprint, binaries }, restored, ctx.log);
    },
  };
}

/**
 * The fingerprint of everything the builds read, or null when their binaries may not stand in for
 * a later run's: the builds read something the fingerprint cannot see, or need GOCACHE afterwards.
 */
async function fingerprintOf(run: Prepared, request: CacheRequest): Promise<string | null> {
  const { ctx, options, jobs, module } = run;
  if (request.mode === 'false') return null;
  const blocker = reuseBlocker(run);
  if (blocker !== null) {
    ctx.log.debug(`Binaries are built every run: ${blocker}`);
    return null;
  }
  try {
    return await inputsFingerprint({
      goVersion: run.toolchain.version,
      compileInputs: request.compileInputs,
      // Where a binary is written changes none of its bytes; its name within output-dir is kept.
      argvs: jobs.map((j) => j.argv.map((a) => (a === j.output ? path.relative(options.outputDir, a) : a))),
      goEnv: goEnvironment(run.env),
      vcs: await vcsState(run),
      sourceDirs: await sourceDirs(module),
      outputDir: options.outputDir,
      files: module.workspace
        ? [module.workspace.file, path.join(path.dirname(module.workspace.file), 'go.work.sum')]
        : [],
    });
  } catch (error) {
    ctx.log.debug(
      `Binaries are built this run: the inputs could not be fingerprinted (${(error as Error).message})`,
    );
    return null;
  }
}

/** Why a run's binaries may not stand in for a later run's builds; null when they may. */
function reuseBlocker(run: Prepared): string | null {
  const { options, jobs, stamp } = run;
  if (jobs.some((j) => j.cannotBuild !== null)) return 'a target cannot be built';
  // The C toolchain, its headers and libraries are inputs outside the module.
  if (jobs.some((j) => pinnedRecord(j.pinned).CGO_ENABLED === '1')) return 'a target is built with cgo';
  if (options.vulncheck !== 'off') return 'vulncheck scans a relink from GOCACHE';
  if (options.reproducible === 'check') return 'reproducible: check builds every target again';
  if (options.windowsSigning !== null || options.macosSigning !== null) return 'the binaries are signed';
  if (options.flags.some((f) => /^--?(overlay|pgo|toolexec)(=|$)/.test(f) && !/^--?pgo=(auto|off)$/.test(f)))
    return "'flags' names files or programs outside the module (-overlay, -pgo, -toolexec)";
  if (!stamp.buildvcsOff && stamp.vcsDirs.some((d) => path.basename(d) !== '.git'))
    return 'the VCS is not git';
  if (jobs.some((j) => globUnsafe(path.relative(options.outputDir, j.output))))
    return "a binary's name has a glob character";
  return null;
}

/** What Go stamps (vcs.revision, vcs.time, vcs.modified): the commit and `git status`; null when it stamps nothing. */
async function vcsState(run: Prepared): Promise<string | null> {
  if (run.stamp.buildvcsOff || run.stamp.vcsDirs.length === 0) return null;
  const status = await runCommand(['git', 'status', '--porcelain'], {
    cwd: run.module.dir,
    env: run.env,
    timeoutMs: 30_000,
  });
  if (status.exitCode !== 0) throw new Error(`git status exited ${status.exitCode}: ${status.stderr.trim()}`);
  return `${run.metadata.commit} ${run.metadata.date}\n${status.stdout}`;
}

// Where things are, not what is built: they differ between runners without changing a byte.
const PLACES = new Set([
  'GOCACHE',
  'GOMODCACHE',
  'GOPATH',
  'GOROOT',
  'GOTMPDIR',
  'GOENV',
  'GOBIN',
  'GOPROXY',
  'GONOPROXY',
  'GONOSUMDB',
  'GONOSUMCHECK',
  'GOPRIVATE',
  'GOSUMDB',
  'GOINSECURE',
  'GOAUTH',
  'GOVCS',
  'GOTOOLCHAIN',
  'GOTELEMETRY',
  'GOTELEMETRYDIR',
]);

function goEnvironment(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => /^(GO|CGO_)/.test(k) && !PLACES.has(k)));
}

/** The module's directory, a workspace's modules, and local replacements (go.mod and go.work). */
async function sourceDirs(module: Prepared['module']): Promise<string[]> {
  const dirs = [module.dir, ...(module.workspace?.modules.map((m) => m.dir) ?? [])];
  const files = [
    ...dirs.map((d) => path.join(d, 'go.mod')),
    ...(module.workspace ? [module.workspace.file] : []),
  ];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '');
    dirs.push(...localReplacements(text, path.dirname(file)));
  }
  return dirs;
}

/** Every binary where it was built (unsigned: signing blocks reuse), when every target passed. */
async function binariesToSave(built: Built): Promise<CacheRequest['binaries']> {
  const files: string[] = [];
  for (const [i, job] of built.jobs.entries()) {
    const result = built.results[i];
    if (!result || failed(result) || result.outcome.sha256 === null) return null;
    const bytes = await readFile(job.output).catch(() => null);
    // Only the file as go build wrote it stands in for a later build.
    if (bytes === null || createHash('sha256').update(bytes).digest('hex') !== result.outcome.sha256)
      return null;
    files.push(path.relative(built.options.outputDir, job.output));
  }
  return { outputDir: built.options.outputDir, files };
}

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

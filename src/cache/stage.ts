// The cache stage: GOCACHE and GOMODCACHE restored before the modules are downloaded, saved after
// the builds (even when targets failed: their successful compiles are still worth keeping).
import { pinnedRecord } from '../compile/env.js';
import type { BuildJob } from '../compile/plan.js';
import { rememberTimings } from '../compile/timings-step.js';
import { msFromEnv } from '../env-knobs.js';
import type { Options } from '../options/options.js';
import type { Prepared, RestoredCache } from '../pipeline/context.js';
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
  const restored = await restoreCaches(request, ctx.log);
  return {
    save: async (built) => {
      await rememberTimings(built.timingsPath, module.path, built.previousTimings, built.results, ctx.log);
      return saveCaches(request, restored, ctx.log);
    },
  };
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

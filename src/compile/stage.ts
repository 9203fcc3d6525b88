// The compile stage: every job built, longest expected first, each verified, smoke-tested,
// signed and archived as soon as it is built (src/compile/target-step.ts) while others compile.
import path from 'node:path';
import { msFromEnv } from '../env-knobs.js';
import { downloadModules } from '../go/download.js';
import { checkPackages } from '../go/packages.js';
import { previousManifest } from '../package/output-dir.js';
import type { Built, Restored, StepContext, TargetResult } from '../pipeline/context.js';
import { MANIFEST_FILE } from '../report/manifest.js';
import { prepareMacosSigner } from '../sign/macos-step.js';
import { prepareWindowsSigner } from '../sign/windows-step.js';
import { canIsolateNetwork } from '../smoke/index.js';
import { runPool } from './pool.js';
import { longestFirst, readTimings, timingsPathIn } from './schedule.js';
import { failed, runTargetStep } from './target-step.js';

const DEFAULT_SMOKE_TIMEOUT_MS = 60_000;

export async function compileStage(run: Restored): Promise<Built> {
  const { options, ctx, cwd, env, toolchain, module, jobs } = run;
  const { log } = ctx;
  // Reused binaries were built from these very files and package lines: nothing to fetch or check.
  if (run.reused === null) {
    await downloadModules(module, options.packages, options.tags, cwd, env, log);
    // The lines as given: what a pattern expanded to is main already.
    await checkPackages(run.given, module, options.workingDirectory, env);
  }

  const isolateNetwork = options.smokeTest !== null && (await canIsolateNetwork(ctx.env));
  if (options.smokeTest !== null && !isolateNetwork) {
    log.info(
      'Smoke tests run with the network reachable: this machine does not allow a network namespace (unshare).',
    );
  }
  // Read before any target writes into output-dir: what an earlier run left there.
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
  // Only a job with darwin targets builds the signer (minutes, once per machine).
  const macosSigner =
    options.macosSigning === null || !jobs.some((j) => j.target.goos === 'darwin')
      ? null
      : await prepareMacosSigner({ signing: options.macosSigning, env, toolchain, log }).catch(
          async (err: unknown) => {
            await windowsSigner?.dispose();
            throw err;
          },
        );
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
    extraFiles: run.extraFiles,
    mtime: new Date(run.metadata.date),
    isolateNetwork,
    smokeTimeoutMs: msFromEnv(ctx.env, 'GO_BUILD_MATRIX_SMOKE_TIMEOUT_MS') ?? DEFAULT_SMOKE_TIMEOUT_MS,
    phaseStarted: process.hrtime.bigint(),
    stamp: run.stamp,
    windowsSigner,
    macosSigner,
    reused: run.reused?.files ?? null,
  };
  const finished = await runPool(
    order,
    run.budget.targets,
    options.failFast,
    (job, release) => runTargetStep(job, step, release),
    (result) => result !== null && failed(result),
    (): TargetResult | null => null,
  ).finally(() => Promise.all([windowsSigner?.dispose(), macosSigner?.dispose()]));
  const resultOf = new Map(order.map((job, i) => [job, finished[i] ?? null]));
  const results = jobs.map((job) => resultOf.get(job) ?? null);
  const buildPhaseSeconds = Number(process.hrtime.bigint() - step.phaseStarted) / 1e9;
  return { ...run, results, buildPhaseSeconds, previous, timingsPath, previousTimings };
}

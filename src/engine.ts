// The pipeline, in order. Each stage is one module with one entry function over one typed context
// (src/pipeline/context.ts) and returns the next; this file only orders them.
import { cacheStage } from './cache/stage.js';
import { compileStage } from './compile/stage.js';
import { observeProcessStarts } from './exec.js';
import type { Options } from './options/options.js';
import { checksumsStage } from './package/checksums-stage.js';
import { packageStage } from './package/stage.js';
import { universalStage } from './package/universal-stage.js';
import { StageClock } from './pipeline/clock.js';
import type { BuildResult, EngineContext, Matrix, PlanResult, Uploaded } from './pipeline/context.js';
import { planStage } from './prepare/plan.js';
import { prepareStage } from './prepare/stage.js';
import { manifestStage } from './report/manifest-stage.js';
import { reproduceStage } from './reproduce/index.js';
import { sbomStage } from './sbom/stage.js';
import { sizeStage } from './size/index.js';
import { uploadStage } from './upload/stage.js';
import { vulncheckStage } from './vulncheck/index.js';

/** `mode: plan` (and the targets a collect job expects): the matrix the build jobs take. */
export async function planMatrix(options: Options, ctx: EngineContext): Promise<PlanResult> {
  return planStage(options, ctx);
}

export async function buildMatrix(options: Options, ctx: EngineContext): Promise<BuildResult> {
  // Every command exactly as started, in the debug log (runner debug logging, CLI --verbose).
  const stop = observeProcessStarts(({ argv, cwd }) =>
    ctx.log.debug(`run ${JSON.stringify(argv)} in ${cwd}`),
  );
  try {
    return resultOf(await buildPipeline(options, ctx));
  } finally {
    stop();
  }
}

/** The build, stage by stage; the action and the CLI then report it (outputs, summary, badge, status) and release. */
async function buildPipeline(options: Options, ctx: EngineContext): Promise<Uploaded> {
  const clock = new StageClock();
  const stage = clock.time.bind(clock);
  const prepared = await stage('prepare', () => prepareStage(options, ctx)); // toolchain, targets, module, checks, jobs
  const cache = await stage('cache restore', () => cacheStage(prepared)); // the same inputs' binaries, else GOCACHE and GOMODCACHE
  // each target built (or an earlier run's binary of the same inputs taken), verified, smoke-tested, signed, archived
  const built = await stage('compile', () => compileStage({ ...prepared, reused: cache.reused }));
  const entered = await stage('package', () => packageStage(built)); // manifest entries
  const scanned = await stage('vulncheck', () => vulncheckStage(entered)); // govulncheck on each binary
  const packaged = await stage('universal', () => universalStage(scanned)); // darwin universal binaries from the slices that passed
  const reproduced = await stage('reproduce', () => reproduceStage(packaged)); // reproducible: check, a second build of each
  const described = await stage('sbom', () => sbomStage(reproduced)); // an SBOM per binary
  const checksummed = await stage('checksums', () => checksumsStage(described)); // checksums.txt
  const sized = await stage('size', () => sizeStage(checksummed)); // each binary against the previous release, size-budget
  const saved = await stage('cache save', () => cache.save(built)); // timings and caches saved
  const recorded = { ...sized, cache: saved, stageSeconds: clock.soFar() };
  const reported = await stage('manifest', () => manifestStage(recorded)); // annotations, manifest.json, output-dir tidied
  const uploaded = await stage('upload', () => uploadStage(reported)); // artifacts
  clock.report(ctx.log);
  return uploaded;
}

function resultOf(run: Uploaded): BuildResult {
  const matrix: Matrix = {
    include: run.jobs.map((job) => ({
      targets: job.target.id,
      goos: job.target.goos,
      goarch: job.target.goarch,
      variant: job.target.variant ?? '',
    })),
  };
  const { manifest, manifestPath, uploadError, artifactPrefix } = run;
  return { manifest, manifestPath, matrix, uploadError, artifactPrefix };
}

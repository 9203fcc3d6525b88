// The prepare stage: the toolchain, the targets, the module and every input checked, then one
// build job per binary. Everything here fails before the first build starts.
import os from 'node:os';
import type { BuildJob } from '../compile/plan.js';
import { buildBudget, withProcessLimit } from '../compile/budget.js';
import { readSourceMetadata } from '../compile/metadata.js';
import { planJobs } from '../compile/plan.js';
import { buildvcsDisabled, findVcsDirs, multipleVcsProblem } from '../compile/stamp.js';
import { loadChosenToolchain, queryEnvironment } from '../go/chosen-toolchain.js';
import { loadModule } from '../go/module.js';
import { expandPackageLines } from '../go/packages.js';
import { checkToolchainLines } from '../go/toolchain-lines.js';
import { InputError } from '../options/errors.js';
import type { Options } from '../options/options.js';
import { resolveExtraFiles } from '../package/index.js';
import { checkWritable } from '../package/output-dir.js';
import { keepOutputOutOfVcs } from '../package/outside-vcs.js';
import type { EngineContext, Prepared } from '../pipeline/context.js';
import { selectTargets } from '../targets/expand.js';
import { resolveTargets } from '../targets/resolve.js';
import { checkCompilerLines, checkInMatrix, checkToolchainKnows } from './checks.js';
import { expandContext, universeOf } from './queries.js';

export async function prepareStage(given: Options, ctx: EngineContext): Promise<Prepared> {
  const { log } = ctx;
  const env = queryEnvironment(ctx.env, given.env);
  const cwd = given.workingDirectory;
  const toolchain = await loadChosenToolchain(cwd, env, given.env);
  // Targets first: a misspelt target is reported before anything else is asked of Go.
  const requested = selectTargets(given.targets, given.exclude, universeOf(toolchain));
  const wholeMatrix =
    given.matrixTargets === null
      ? []
      : selectTargets(given.matrixTargets, given.exclude, universeOf(toolchain), 'matrix-targets');
  const [module, metadata, resolved] = await Promise.all([
    loadModule(cwd, env, given.flags, given.packages),
    readSourceMetadata(cwd, env, given.version),
    resolveTargets([...requested, ...wholeMatrix], cwd, env),
  ]);
  const targets = resolved.slice(0, requested.length);
  const matrixTargets = resolved.slice(requested.length);
  checkInMatrix(given, targets, matrixTargets);
  log.info(
    `${toolchain.version} (${toolchain.hostGoos}/${toolchain.hostGoarch}), module ${module.path}, version ${metadata.version}`,
  );
  checkToolchainLines(module, toolchain, env.GOTOOLCHAIN ?? 'local', ctx);
  checkToolchainKnows(given, toolchain, requested, log);
  checkCompilerLines(given, toolchain, requested, log);
  const { packages, onlyFor } = await expandPackageLines(
    given.packages,
    expandContext(given, env, requested),
    log,
  );
  // From here on (jobs, cache keys, universal binaries) `package` is the expanded list.
  const options = { ...given, packages };
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
  if (!stamp.buildvcsOff) await keepOutputOutOfVcs(options.outputDir, module.dir, env, log);
  const extraFiles = await resolveExtraFiles(options.extraFiles, options.workingDirectory);
  return {
    options,
    given: given.packages,
    ctx,
    env,
    cwd,
    toolchain,
    module,
    metadata,
    stamp,
    jobs,
    budget,
    extraFiles,
  };
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

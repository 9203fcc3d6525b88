// `mode: plan`: the targets, one per binary, split into the chunks the build jobs take.
import { loadChosenToolchain, queryEnvironment } from '../go/chosen-toolchain.js';
import { expandPackageLines } from '../go/packages.js';
import type { Options } from '../options/options.js';
import type { EngineContext, PlanResult } from '../pipeline/context.js';
import { selectTargets, targetId } from '../targets/expand.js';
import { dedupeTargets } from '../targets/meaning.js';
import { resolveTargets } from '../targets/resolve.js';
import { expandContext, universeOf } from './queries.js';

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

export async function planStage(options: Options, ctx: EngineContext): Promise<PlanResult> {
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

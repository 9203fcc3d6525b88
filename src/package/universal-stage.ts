// The universal stage: the darwin universal binaries, built from the slices that passed every
// earlier check, appended after the targets' entries.
import type { Packaged } from '../pipeline/context.js';
import { universalBinaries } from './universal-step.js';

export async function universalStage(run: Packaged): Promise<Packaged> {
  const { jobs, results, options, artifacts, ctx } = run;
  if (!options.universal) return run;
  const universal = await universalBinaries({
    jobs,
    artifacts,
    results,
    options,
    metadata: run.metadata,
    extraFiles: run.extraFiles,
    mtime: new Date(run.metadata.date),
    ctx,
  });
  return { ...run, artifacts: [...artifacts, ...universal] };
}

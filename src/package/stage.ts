// The package stage: each job's manifest entry (its archive was written by its target step).
import { failed } from '../compile/target-step.js';
import type { Built, Packaged } from '../pipeline/context.js';
import { artifactEntry } from '../report/artifact-entry.js';

export async function packageStage(built: Built): Promise<Packaged> {
  const { jobs, results, options, ctx } = built;
  const firstFailure = results.find((r) => r !== null && failed(r));
  const artifacts = jobs.map((job, i) =>
    artifactEntry(job, results[i] ?? null, ctx, firstFailure?.outcome.job.target.id, options.smokeTest ?? []),
  );
  return Promise.resolve({ ...built, artifacts });
}

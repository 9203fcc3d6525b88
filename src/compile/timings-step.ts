// The timings stage: this run's build times, for the next run's start order.
import type { Logger } from '../log.js';
import type { Timings } from './schedule.js';
import { timingKey, writeTimings } from './schedule.js';
import type { TargetResult } from '../pipeline/context.js';

/** Keeps this run's build times for the next run's start order (in GOCACHE, so the cache carries them). */
export async function rememberTimings(
  timingsPath: string | null,
  modulePath: string,
  previous: Timings,
  results: readonly (TargetResult | null)[],
  log: Logger,
): Promise<void> {
  if (timingsPath === null) return;
  const measured = results.flatMap((r) =>
    r?.outcome.ok && r.outcome.seconds !== null
      ? [{ key: timingKey(modulePath, r.outcome.job), seconds: r.outcome.seconds }]
      : [],
  );
  try {
    await writeTimings(timingsPath, previous, measured);
  } catch (err) {
    log.debug(`Build timings not kept for the next run: ${(err as Error).message}`);
  }
}

// The order targets start in. With more targets than build slots the matrix ends when its last
// build ends, so the longest-expected builds go first (longest processing time first): the short
// ones then fill the gaps at the end instead of one long build running alone on an idle machine.
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BuildJob } from './plan.js';
import { makeDirectories } from '../make-dirs.js';

/** Seconds a target's build took last time, by `timingKey`. */
export type Timings = ReadonlyMap<string, number>;

/** By module too: one GOCACHE serves every module on a machine, and most build package '.'. */
export function timingKey(modulePath: string, job: Pick<BuildJob, 'target' | 'package'>): string {
  return `${modulePath} ${job.target.id} ${job.package}`;
}

/**
 * Without history, a cgo build is expected to take about twice as long: it compiles runtime/cgo
 * and its C files and links through the external linker (gofmt, Go 1.23: 14 s with cgo, 7 s without).
 */
function defaultEstimate(job: BuildJob): number {
  return job.pinned.CGO_ENABLED === '1' ? 2 : 1;
}

/**
 * Longest expected first; ties keep the order the user gave. A target without history is
 * guessed at the median of the known ones, scaled by the default estimate.
 */
export function longestFirst(jobs: readonly BuildJob[], previous: Timings, modulePath: string): BuildJob[] {
  const key = (job: BuildJob): string => timingKey(modulePath, job);
  const known = jobs.map((job) => previous.get(key(job))).filter((s) => s !== undefined);
  const typical = median(known) ?? 1;
  const estimate = (job: BuildJob): number => previous.get(key(job)) ?? typical * defaultEstimate(job);
  return jobs
    .map((job, index) => ({ job, index, seconds: estimate(job) }))
    .sort((a, b) => b.seconds - a.seconds || a.index - b.index)
    .map(({ job }) => job);
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

interface TimingsFile {
  readonly timings: Record<string, number>;
}

/**
 * What earlier runs measured: the manifest an earlier run left in output-dir, and the timings
 * file kept in GOCACHE (which the cache carries from run to run). Unreadable files count as none.
 */
export async function readTimings(
  manifestPath: string,
  timingsPath: string | null,
): Promise<Map<string, number>> {
  const timings = new Map<string, number>();
  const fromCache = timingsPath === null ? null : await readJson<TimingsFile>(timingsPath);
  for (const [key, seconds] of Object.entries(fromCache?.timings ?? {})) {
    if (typeof seconds === 'number' && seconds >= 0) timings.set(key, seconds);
  }
  const manifest = await readJson<{ module?: unknown; artifacts?: unknown }>(manifestPath);
  if (typeof manifest?.module === 'string' && Array.isArray(manifest.artifacts)) {
    for (const a of manifest.artifacts as Record<string, unknown>[]) {
      if (typeof a.target === 'string' && typeof a.package === 'string' && typeof a.buildSeconds === 'number')
        timings.set(`${manifest.module} ${a.target} ${a.package}`, a.buildSeconds);
    }
  }
  return timings;
}

/** Adds this run's timings to the file; targets this run did not build keep their earlier figures. */
export async function writeTimings(
  timingsPath: string,
  previous: Timings,
  measured: readonly { key: string; seconds: number }[],
): Promise<void> {
  const timings: Record<string, number> = Object.fromEntries(previous);
  for (const { key, seconds } of measured) timings[key] = Math.round(seconds * 100) / 100;
  await makeDirectories(path.dirname(timingsPath));
  const temp = `${timingsPath}.${process.pid}`;
  await writeFile(temp, `${JSON.stringify({ timings } satisfies TimingsFile, null, 2)}\n`);
  await rename(temp, timingsPath);
}

/**
 * Where the timings live inside GOCACHE: a directory name Go's cache never uses (it uses 00–ff).
 * Null when there is no GOCACHE to keep them in.
 */
export function timingsPathIn(gocache: string): string | null {
  return gocache === '' || gocache === 'off' ? null : path.join(gocache, 'go-build-matrix', 'timings.json');
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

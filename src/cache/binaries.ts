// The finished binaries of a run, saved as one small cache entry keyed by the fingerprint of
// everything the builds read (fingerprint.ts). A later run whose fingerprint is the same (a re-run,
// or a commit that changed nothing Go reads) restores them instead of GOCACHE and GOMODCACHE and
// builds nothing: Go would have written the same bytes. The binaries are verified like built ones.
// The entry holds the files where they are in output-dir (their paths are its version, the same
// every run of a job); the key, through the fingerprint, names every target, package and file.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { formatBytes } from '../report/format.js';
import { callClient, problemsOf } from './client-call.js';
import type { SavedEntry } from './hygiene.js';

const loadCacheClient = () => import('@actions/cache');

export interface BinariesPlan {
  readonly key: string;
  /** The fingerprint's prefix of `key`: any run that saved for the same inputs. */
  readonly restoreKey: string;
  readonly family: string;
}

export interface ReusedBinaries {
  readonly key: string;
  readonly bytes: number;
  /** By path relative to output-dir. */
  readonly files: ReadonlyMap<string, Buffer>;
}

export interface ClientSetup {
  /** The job env with RUNNER_TEMP set. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs: number;
  readonly log: Logger;
}

/** The client's patterns: each file by its absolute path (glob characters in a name stop reuse earlier). */
function patterns(outputDir: string, files: readonly string[]): string[] {
  return [...files].sort().map((f) => path.join(outputDir, f));
}

/** A name @actions/glob would read as a pattern. */
export function globUnsafe(file: string): boolean {
  return /[*?[\]!]/.test(file);
}

/** Restores the entry of this fingerprint; null unless it holds every one of `wanted` (paths relative to output-dir). */
export async function restoreBinaries(
  plan: BinariesPlan,
  outputDir: string,
  wanted: readonly string[],
  setup: ClientSetup,
): Promise<ReusedBinaries | null> {
  const { env, timeoutMs, log } = setup;
  const staging = await mkdtemp(path.join(env.RUNNER_TEMP ?? '', 'gbm-binaries-'));
  try {
    const call = await callClient(
      'Restoring the binaries',
      { ...env, GITHUB_WORKSPACE: staging },
      timeoutMs,
      async () =>
        (await loadCacheClient()).restoreCache(patterns(outputDir, wanted), plan.key, [plan.restoreKey]),
    );
    const problems = problemsOf(call);
    if (problems.length > 0) {
      log.warning(`The binaries of an earlier run were not restored: ${problems.join('; ')}. Building them.`);
      return null;
    }
    if (!call.value) {
      log.info(`Binaries: none saved yet for these inputs (${plan.restoreKey}); building`);
      return null;
    }
    const files = new Map<string, Buffer>();
    let bytes = 0;
    for (const file of wanted) {
      const data = await readFile(path.join(staging, file));
      files.set(file, data);
      bytes += data.length;
    }
    log.info(
      `Binaries: nothing Go reads changed since ${call.value} saved them: using its ${files.size} binar${files.size === 1 ? 'y' : 'ies'} (${formatBytes(bytes)}) instead of restoring GOCACHE and building`,
    );
    return { key: call.value, bytes, files };
  } catch (error) {
    log.warning(
      `The binaries of an earlier run could not be used (${(error as Error).message}). Building them.`,
    );
    return null;
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Saves the binaries at `files` (relative to output-dir, as built) under the plan's key; null (with a warning) when they were not saved. */
export async function saveBinaries(
  plan: BinariesPlan,
  outputDir: string,
  files: readonly string[],
  setup: ClientSetup,
): Promise<{ entry: SavedEntry; bytes: number } | null> {
  const { env, timeoutMs, log } = setup;
  const call = await callClient(
    'Saving the binaries',
    { ...env, GITHUB_WORKSPACE: outputDir },
    timeoutMs,
    async () => (await loadCacheClient()).saveCache(patterns(outputDir, files), plan.key),
  );
  const problems = problemsOf(call);
  if (problems.length > 0 || call.value === undefined || call.value < 0) {
    log.warning(
      `The binaries were not saved for the next run: ${problems.join('; ') || 'the cache service did not accept them'}`,
    );
    return null;
  }
  let bytes = 0;
  for (const file of files) bytes += (await stat(path.join(outputDir, file))).size;
  log.info(`Binaries: saved ${files.length} (${formatBytes(bytes)}) as ${plan.key}`);
  return { entry: { name: 'binaries', key: plan.key, family: plan.family, supersedes: [] }, bytes };
}

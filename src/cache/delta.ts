// The entry a run saves on top of the GOCACHE entry it restored (its base), instead of a new copy
// of the whole GOCACHE: the GOCACHE entries it wrote or used that the base lacks (so the next run,
// restoring base and delta, compiles only what changed since this run), and the binaries it built.
// A later run restores the base and the newest delta of that base. One whose inputs fingerprint
// (fingerprint.ts) is a delta's (a re-run, a commit that changed nothing Go reads) takes that
// delta's binaries instead, restoring neither GOCACHE nor GOMODCACHE and building nothing: Go would
// have written the same bytes. The binaries are verified like built ones.
//
// Layout of the entry: `go-build-matrix-delta/cache/<2 hex>/<name>` (GOCACHE files) and
// `go-build-matrix-delta/bin/<path in output-dir>`. The client hashes the paths it is given into the
// entry's version, so it gets the same relative pattern on every runner (self-hosted runners on one
// machine have one GOCACHE but each its own RUNNER_TEMP); the pattern is resolved against the
// working directory, which is the job's own assembly directory while the client reads it.
import { copyFile, cp, link, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../log.js';
import { makeDirectories } from '../make-dirs.js';
import { formatBytes } from '../report/format.js';
import { callClient, problemsOf } from './client-call.js';
import type { DeltaFile } from './gocache.js';
import type { SavedEntry } from './hygiene.js';

const loadCacheClient = () => import('@actions/cache');

const DIR_NAME = 'go-build-matrix-delta';
const CACHE = 'cache';
const BIN = 'bin';

export interface ClientSetup {
  /** The job env with RUNNER_TEMP set. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs: number;
  readonly log: Logger;
}

export interface ReusedBinaries {
  readonly key: string;
  readonly bytes: number;
  /** By path relative to output-dir. */
  readonly files: ReadonlyMap<string, Buffer>;
}

/** A restored delta, extracted into `root` (beside GOCACHE); the caller removes `root`. */
export interface RestoredDelta {
  readonly key: string;
  readonly root: string;
  /** Its GOCACHE files, as a tree like GOCACHE's. */
  readonly cacheDir: string;
  readonly binDir: string;
}

const PATTERNS = [`${DIR_NAME}/*`];

/** A name @actions/glob would read as a pattern: such a binary is not put in a delta. */
export function globUnsafe(file: string): boolean {
  return /[*?[\]!\\]/.test(file);
}

/** The newest delta whose key starts with `prefix`, extracted into a new directory in `parent`; null when there is none or it failed (a warning). */
export async function restoreDelta(
  prefix: string,
  parent: string,
  setup: ClientSetup,
): Promise<RestoredDelta | null> {
  const { env, timeoutMs, log } = setup;
  await makeDirectories(parent);
  const root = await mkdtemp(path.join(parent, '.go-build-matrix-delta-'));
  const call = await callClient(
    'Restoring a delta',
    { ...env, GITHUB_WORKSPACE: root },
    timeoutMs,
    async () => (await loadCacheClient()).restoreCache(PATTERNS, prefix, [prefix]),
  );
  const problems = problemsOf(call);
  if (problems.length > 0 || !call.value) {
    await rm(root, { recursive: true, force: true });
    if (problems.length > 0)
      log.warning(`A delta was not restored: ${problems.join('; ')}. Building without it.`);
    return null;
  }
  const dir = path.join(root, DIR_NAME);
  return { key: call.value, root, cacheDir: path.join(dir, CACHE), binDir: path.join(dir, BIN) };
}

/** The delta's binaries, when it holds every one of `wanted` (paths relative to output-dir). */
export async function binariesOf(
  delta: RestoredDelta,
  wanted: readonly string[],
): Promise<ReusedBinaries | null> {
  const files = new Map<string, Buffer>();
  let bytes = 0;
  for (const file of wanted) {
    const data = await readFile(path.join(delta.binDir, file)).catch(() => null);
    if (data === null) return null;
    files.set(file, data);
    bytes += data.length;
  }
  return { key: delta.key, bytes, files };
}

/** GOCACHE files by hard link where the file system allows it (they are never written again), else by copy. */
async function place(from: string, to: string): Promise<void> {
  await makeDirectories(path.dirname(to));
  const info = await stat(from);
  if (info.isDirectory()) {
    await cp(from, to, { recursive: true });
    return;
  }
  await link(from, to).catch(() => copyFile(from, to));
}

export interface DeltaToSave {
  readonly key: string;
  readonly family: string;
  /**
   * The entry it goes on top of, and the GOCACHE key the run would have saved (for cleanup); null
   * when the run saved that entry itself (whose save cleans up).
   */
  readonly base: { key: string; family: string; asSaved: string } | null;
  readonly gocacheFiles: readonly DeltaFile[];
  /** output-dir and the binaries in it; null: none (reuse is off for this run). */
  readonly binaries: { readonly outputDir: string; readonly files: readonly string[] } | null;
}

/** Saves a delta; its record and size, or null (with a warning) when it was not saved. */
export async function saveDelta(
  delta: DeltaToSave,
  setup: ClientSetup,
): Promise<{ entry: SavedEntry; bytes: number } | null> {
  const { env, timeoutMs, log } = setup;
  const root = await mkdtemp(path.join(env.RUNNER_TEMP ?? os.tmpdir(), 'gbm-delta-'));
  const dir = path.join(root, DIR_NAME);
  try {
    await makeDirectories(path.join(dir, CACHE));
    let bytes = 0;
    for (const f of delta.gocacheFiles) {
      await place(f.file, path.join(dir, CACHE, f.relative));
      bytes += f.size;
    }
    for (const file of delta.binaries?.files ?? []) {
      await makeDirectories(path.dirname(path.join(dir, BIN, file)));
      await copyFile(path.join(delta.binaries?.outputDir ?? '', file), path.join(dir, BIN, file));
      bytes += (await stat(path.join(dir, BIN, file))).size;
    }
    const call = await callClient('Saving a delta', { ...env, GITHUB_WORKSPACE: root }, timeoutMs, () =>
      inDirectory(root, async () => (await loadCacheClient()).saveCache(PATTERNS, delta.key)),
    );
    const problems = problemsOf(call);
    if (problems.length > 0 || call.value === undefined || call.value < 0) {
      log.warning(`The delta was not saved: ${problems.join('; ') || 'the cache service did not accept it'}`);
      return null;
    }
    const binaries = delta.binaries?.files.length ?? 0;
    log.info(
      `GOCACHE delta: saved ${delta.gocacheFiles.length} entries beside the restored one${binaries > 0 ? ` and ${binaries} binar${binaries === 1 ? 'y' : 'ies'}` : ''} (${formatBytes(bytes)}) as ${delta.key}`,
    );
    return {
      entry: {
        name: 'delta',
        key: delta.key,
        family: delta.family,
        supersedes: [],
        ...(delta.base ? { base: delta.base } : {}),
      },
      bytes,
    };
  } catch (error) {
    log.warning(`The delta was not saved: ${(error as Error).message}`);
    return null;
  } finally {
    await rm(root, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Runs `fn` with `dir` as the working directory (the client globs relative patterns against it). */
async function inDirectory<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(before);
  }
}

// Restores GOMODCACHE and GOCACHE before the builds and saves them after, with @actions/cache.
// Caching is an optimisation: every kind of trouble ends as one warning and the build goes on.
import { realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../log.js';
import { formatBytes } from '../report/format.js';
import type { Staging } from './beside.js';
import { makeStaging, mergeMissing, removeStaging } from './beside.js';
import type { ClientSetup, DeltaToSave, ReusedBinaries } from './delta.js';
import { binariesOf, restoreDelta, saveDelta } from './delta.js';
import { callClient, problemsOf } from './client-call.js';
import {
  ageEntries,
  countNewOutputs,
  directorySize,
  entryNames,
  pruneUnused,
  readSavedInputs,
  recordSavedInputs,
  usedOutside,
} from './gocache.js';
import type { Aging, DeltaFile, SetTimes } from './gocache.js';
import type { SavedEntry } from './hygiene.js';
import { deleteSuperseded } from './hygiene.js';
import {
  buildFamily,
  deltaFamily,
  deltaKeys,
  buildKeys,
  hashDependencies,
  inputsHashOf,
  modulesFamily,
  modulesKeys,
  movingPart,
} from './keys.js';
import type { CacheKeys, WorkspaceFiles } from './keys.js';
import type { CacheName } from './paths.js';
import { cachePaths, selectedSize } from './paths.js';

// Loaded on first use: the clients are most of the bundle, and the first `go` process should not wait for them.
const loadCacheClient = () => import('@actions/cache');

/** How the run used the cache, so reports say only what happened. */
export type CacheUse = 'off' | 'local' | 'unavailable' | 'restore-only' | 'restore-and-save';

export interface CacheRecord {
  hit: 'true' | 'partial' | 'false';
  key: string | null;
  restoredBytes: number;
  savedBytes: number;
  use: CacheUse;
  /** What this job saved (for a collect job to clean up after legs that cannot); absent when nothing. */
  saved?: SavedEntry[];
  /** Binaries taken from an earlier run's entry instead of built (binaries.ts). */
  reused?: number;
  /** Build outputs the builds added to the restored GOCACHE; absent when not counted. */
  compiled?: number;
}

export interface CacheRequest {
  /** 'true' saves except on tag runs, 'always' saves on them too. */
  mode: 'true' | 'false' | 'restore-only' | 'always';
  /** cache-key-prefix input */
  keyPrefix: string;
  /** Job env: RUNNER_OS, RUNNER_ARCH, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, ACTIONS_*, RUNNER_TEMP, GITHUB_WORKSPACE… */
  env: Readonly<Record<string, string | undefined>>;
  /** 'go1.23.5' */
  goVersion: string;
  /** Absolute, from `go env`. */
  gocache: string;
  gomodcache: string;
  /** Where go.mod / go.sum are. */
  moduleDir: string;
  /** The go.work the module builds in: its sum files key GOMODCACHE too. Null or absent in module mode. */
  workspace?: WorkspaceFiles | null;
  /** The commit's time (seconds since the epoch): orders the entries of runs of different commits. */
  commitSeconds: number;
  /** The `package` input: legs building other packages keep their own entries. */
  packages: readonly string[];
  /** Everything that changes compiled output: targets with variants, CGO_ENABLED, tags, flags, trimpath, packages. */
  compileInputs: readonly string[];
  /** Per client call; default 5 minutes. */
  timeoutMs?: number;
  /** Token for deleting the entries a save supersedes (cache-cleanup); null leaves them. */
  cleanupToken?: string | null;
  /** First pause between REST retries; 1 s unless tuned. */
  apiRetryMs?: number;
  /** How mtimes are set; only tests replace it (to emulate a file system that drops them). */
  setTimes?: SetTimes;
  /** Everything the builds read, hashed (fingerprint.ts); null or absent: binaries are never reused. */
  fingerprint?: string | null;
  /** Where the binaries are (paths relative to outputDir), to reuse a delta's binaries. */
  binaries?: { outputDir: string; files: string[] } | null;
}

export interface RestoredEntry {
  name: CacheName;
  path: string;
  key: string;
  /** What the entries this one may supersede start with (see hygiene.ts). */
  family: string;
  restoreKeys: string[];
  matchedKey: string | null;
  restoredBytes: number;
  /** The compile inputs the restored GOCACHE entry recorded; null when it recorded none. */
  restoredInputs: string[] | null;
}

export interface RestoredCaches {
  /** False when there is nothing to save or report: cache off, outside Actions, service unavailable. */
  active: boolean;
  hit: CacheRecord['hit'];
  /** The GOCACHE key this run saves under. */
  key: string | null;
  entries: RestoredEntry[];
  /** GOCACHE as restored, to compare with after the builds; null when it could not be listed. */
  gocache: RestoredGocache | null;
  /** A delta's binaries of the same inputs, used instead of building (nothing else was restored); null: build. */
  reused: ReusedBinaries | null;
}

export interface RestoredGocache {
  /** Entries with an older mtime were not used by this run; null: save without pruning. */
  pruneCutoffMs: number | null;
  /** The entries' names after the restore. */
  names: ReadonlySet<string>;
  /** The entries this job's restore moved in: the only ones pruning may delete. */
  ours: ReadonlySet<string>;
  /** The names in the restored entry itself (not its delta): a delta saved on top of it holds the rest. */
  baseNames: ReadonlySet<string>;
}

export const DEFAULT_CACHE_TIMEOUT_MS = 5 * 60 * 1000;

const INACTIVE: RestoredCaches = {
  active: false,
  hit: 'false',
  key: null,
  entries: [],
  gocache: null,
  reused: null,
};
/** A run that added more than this share of its base saves a new entry rather than a delta. */
const DELTA_SHARE = 0.25;

function inActions(env: CacheRequest['env']): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL);
}

/** The client puts its temporary archive in RUNNER_TEMP, else under /home/actions/temp. */
function clientEnv(env: CacheRequest['env']): CacheRequest['env'] {
  return env.RUNNER_TEMP ? env : { ...env, RUNNER_TEMP: os.tmpdir() };
}

export function cacheRecord(restored: RestoredCaches, use: CacheUse): CacheRecord {
  return {
    use,
    hit: restored.hit,
    key: restored.key,
    restoredBytes: restored.entries.reduce((sum, e) => sum + e.restoredBytes, 0),
    savedBytes: 0,
  };
}

/** Entries saved under a tag can be restored by no other ref; they only take the branches' quota. */
function tagRun(req: CacheRequest): boolean {
  return req.mode === 'true' && (req.env.GITHUB_REF ?? '').startsWith('refs/tags/');
}

function saves(req: CacheRequest): boolean {
  return (req.mode === 'true' || req.mode === 'always') && !tagRun(req);
}

function cacheUse(req: CacheRequest, restored: RestoredCaches): CacheUse {
  if (req.mode === 'false') return 'off';
  if (!inActions(req.env)) return 'local';
  if (!restored.active) return 'unavailable';
  return saves(req) ? 'restore-and-save' : 'restore-only';
}

/** The record of a run that built nothing: every binary came from `reused`. */
function reusedRecord(req: CacheRequest, restored: RestoredCaches, reused: ReusedBinaries): CacheRecord {
  return {
    use: saves(req) ? 'restore-and-save' : 'restore-only',
    hit: 'true',
    key: restored.key,
    restoredBytes: reused.bytes,
    savedBytes: 0,
    reused: reused.files.size,
  };
}

export async function restoreCaches(req: CacheRequest, log: Logger): Promise<RestoredCaches> {
  if (req.mode === 'false') {
    log.debug('cache: false: not restoring or saving GOCACHE/GOMODCACHE');
    return INACTIVE;
  }
  if (!inActions(req.env)) {
    log.info(
      `Not running in GitHub Actions (no ACTIONS_RUNTIME_TOKEN/ACTIONS_RESULTS_URL): Go uses its local build cache ${req.gocache} as it is`,
    );
    return INACTIVE;
  }
  const env = clientEnv(req.env);
  const timeoutMs = req.timeoutMs ?? DEFAULT_CACHE_TIMEOUT_MS;
  const available = await callClient('cache.isFeatureAvailable', env, timeoutMs, async () =>
    (await loadCacheClient()).isFeatureAvailable(),
  );
  if (available.value !== true) {
    const why = problemsOf(available).join('; ') || 'isFeatureAvailable() is false';
    log.warning(
      `The Actions cache service is not available to this job (${why}); building without the cache`,
    );
    return INACTIVE;
  }

  const deps = await hashDependencies(req.moduleDir, req.workspace ?? null).catch((error: Error) => error);
  if (deps instanceof Error) {
    log.warning(`Cache not restored: ${deps.message}`);
    return INACTIVE;
  }
  const mods = modulesKeys(req.keyPrefix, req.env, deps, req.commitSeconds);
  const build = buildKeys(
    req.keyPrefix,
    req.env,
    req.goVersion,
    req.packages,
    req.compileInputs,
    movingPart(req.env, req.commitSeconds, new Date()),
  );
  const reused = await reuseBinaries(req, build, env, timeoutMs, log);
  if (reused !== null)
    return { active: true, hit: 'true', key: build.key, entries: [], gocache: null, reused };
  const entries: RestoredEntry[] = [];
  let gocache: RestoredGocache | null = null;
  for (const [name, dir, keys, family] of [
    ['GOMODCACHE', req.gomodcache, mods, modulesFamily(req.keyPrefix, req.env, deps)],
    ['GOCACHE', req.gocache, build, buildFamily(req.keyPrefix, req.env)],
  ] as const) {
    const entry: RestoredEntry = {
      name,
      path: dir,
      ...keys,
      family,
      matchedKey: null,
      restoredBytes: 0,
      restoredInputs: null,
    };
    const restoredHere = await restoreBeside(entry, env, timeoutMs, req, log);
    if (name === 'GOCACHE') {
      const withDelta =
        entry.matchedKey === null
          ? restoredHere
          : await restoreNewestDelta(req, entry, entry.matchedKey, restoredHere, { env, timeoutMs, log });
      if (saves(req)) gocache = await prepareForPruning(req, withDelta, log);
    }
    entries.push(entry);
  }

  return {
    active: true,
    hit: hitOf(entries, deps.file === 'go.sum' || deps.file === 'go.work.sum'),
    key: build.key,
    entries,
    gocache,
    reused: null,
  };
}

/**
 * A delta saved for the same inputs fingerprint on top of the GOCACHE entry this run would restore
 * (found without downloading it): its binaries are what this run would build.
 */
async function reuseBinaries(
  req: CacheRequest,
  build: CacheKeys,
  env: CacheRequest['env'],
  timeoutMs: number,
  log: Logger,
): Promise<ReusedBinaries | null> {
  if (!req.fingerprint || !req.binaries) return null;
  const base = await callClient('Looking up GOCACHE', env, timeoutMs, async () =>
    (await loadCacheClient()).restoreCache(cachePaths('GOCACHE', req.gocache), build.key, build.restoreKeys, {
      lookupOnly: true,
    }),
  );
  if (problemsOf(base).length > 0 || !base.value) return null;
  const keys = deltaKeys(req.keyPrefix, req.env, legPrefix(build), base.value, req.fingerprint, '');
  const delta = await restoreDelta(keys.sameInputs, env.RUNNER_TEMP ?? os.tmpdir(), { env, timeoutMs, log });
  if (delta === null) {
    log.info(`Binaries: no run saved them for these inputs yet (${keys.sameInputs}); building`);
    return null;
  }
  try {
    const reused = await binariesOf(delta, req.binaries.files);
    if (reused === null) {
      log.info(`Binaries: ${delta.key} does not hold all of this run's binaries; building`);
      return null;
    }
    log.info(
      `Binaries: nothing Go reads changed since ${delta.key} was saved: using its ${reused.files.size} binar${reused.files.size === 1 ? 'y' : 'ies'} (${formatBytes(reused.bytes)}) instead of restoring GOCACHE and building`,
    );
    return reused;
  } finally {
    await rm(delta.root, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** What every GOCACHE key of this run's leg (Go version, packages, compile inputs) starts with. */
function legPrefix(keys: Pick<CacheKeys, 'key' | 'restoreKeys'>): string {
  return keys.restoreKeys[0] ?? keys.key;
}

/** The newest delta this leg saved on top of the restored GOCACHE entry, aged like it and moved in beside what is there. */
async function restoreNewestDelta(
  req: CacheRequest,
  gocacheEntry: RestoredEntry,
  baseKey: string,
  base: RestoredHere,
  setup: ClientSetup,
): Promise<RestoredHere> {
  const { log } = setup;
  const prefix = deltaKeys(req.keyPrefix, req.env, legPrefix(gocacheEntry), baseKey, null, '').ofBase;
  const parent = path.dirname(await realpath(req.gocache).catch(() => req.gocache));
  const delta = await restoreDelta(prefix, parent, setup).catch((error: Error) => {
    log.warning(`A delta was not restored: ${error.message}. Building without it.`);
    return null;
  });
  if (delta === null) return base;
  try {
    const aging = saves(req) ? await ageEntries(delta.cacheDir, Date.now(), req.setTimes) : null;
    const copied = await entryNames(delta.cacheDir);
    const size = await directorySize(delta.cacheDir).catch(() => 0);
    await mergeMissing(delta.cacheDir, req.gocache);
    const left = await entryNames(delta.cacheDir);
    log.info(
      `GOCACHE delta: restored ${copied.size} entries (${formatBytes(size)}) from ${delta.key}, saved on top of it`,
    );
    return {
      aging:
        base.aging && aging
          ? { ...base.aging, mtimesKept: base.aging.mtimesKept && aging.mtimesKept }
          : base.aging,
      ours: new Set([...base.ours, ...[...copied].filter((n) => !left.has(n))]),
      names: base.names,
    };
  } catch (error) {
    log.warning(`A delta was not fully restored: ${(error as Error).message}. Building with what there is.`);
    return base;
  } finally {
    await rm(delta.root, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** How the entries of a restored GOCACHE copy were aged, before it is moved in. */
interface RestoredHere {
  aging: Aging | null;
  /** Entry names of the copy that the cache lacked, so this job moved them in. */
  ours: ReadonlySet<string>;
  /** Every entry name of the restored entry. */
  names: ReadonlySet<string>;
}

/**
 * Restores `entry` into a staging directory beside its cache and moves in what the cache lacks
 * (beside.ts); fills in matchedKey and restoredBytes. Every problem is a warning.
 */
async function restoreBeside(
  entry: RestoredEntry,
  env: CacheRequest['env'],
  timeoutMs: number,
  req: CacheRequest,
  log: Logger,
): Promise<RestoredHere> {
  const nothing: RestoredHere = { aging: null, ours: new Set(), names: new Set() };
  let staging: Staging;
  try {
    staging = await makeStaging(entry.path);
  } catch (error) {
    log.warning(`${entry.name} was not restored: ${(error as Error).message}. Building without it.`);
    return nothing;
  }
  try {
    const call = await callClient(
      `Restoring ${entry.name}`,
      { ...env, GITHUB_WORKSPACE: staging.root },
      timeoutMs,
      async () =>
        (await loadCacheClient()).restoreCache(
          cachePaths(entry.name, entry.path),
          entry.key,
          entry.restoreKeys,
        ),
    );
    const problems = problemsOf(call);
    if (problems.length > 0) {
      log.warning(`${entry.name} was not restored: ${problems.join('; ')}. Building without it.`);
      return nothing;
    }
    if (!call.value) {
      log.info(`${entry.name}: no cache entry yet for ${entry.key}`);
      return nothing;
    }
    entry.matchedKey = call.value;
    // The entry's own size: the directory may hold much more that was there before.
    entry.restoredBytes = await directorySize(staging.tree);
    const how = call.value === entry.key ? 'its exact key' : 'a restore key';
    log.info(`${entry.name}: restored ${formatBytes(entry.restoredBytes)} from ${call.value} (${how})`);
    // Aged while only this job sees them: once moved in, a build of any job may touch them.
    const aging =
      entry.name === 'GOCACHE' && saves(req)
        ? await ageEntries(staging.tree, Date.now(), req.setTimes).catch((error: Error) => {
            log.warning(
              `GOCACHE cannot be prepared for pruning (${error.message}): the whole GOCACHE will be saved`,
            );
            return null;
          })
        : null;
    const inputsHash = entry.name === 'GOCACHE' ? inputsHashOf(call.value) : null;
    // Read from the entry itself: the record in GOCACHE may be another job's.
    if (inputsHash !== null) entry.restoredInputs = await readSavedInputs(staging.tree, inputsHash);
    const copied = entry.name === 'GOCACHE' ? await entryNames(staging.tree) : new Set<string>();
    await mergeMissing(staging.tree, entry.path, entry.name === 'GOMODCACHE' ? ['cache'] : []);
    const left = entry.name === 'GOCACHE' ? await entryNames(staging.tree) : new Set<string>();
    return { aging, ours: new Set([...copied].filter((n) => !left.has(n))), names: copied };
  } catch (error) {
    log.warning(
      `${entry.name} was not fully restored: ${(error as Error).message}. Building with what it has.`,
    );
    return nothing;
  } finally {
    await removeStaging(staging).catch((error: Error) =>
      log.debug(`${entry.name}: the staging directory ${staging.root} was not removed: ${error.message}`),
    );
  }
}

/** GOCACHE came from an entry saved for the same toolchain and compile inputs (GOMODCACHE: the same go.sum). */
function sameInputs(build: RestoredEntry): boolean {
  return build.matchedKey !== null && build.matchedKey.startsWith(build.restoreKeys[0] ?? build.key);
}

/** 'true' when GOCACHE came from the same toolchain and compile inputs and the modules came too. */
function hitOf(entries: readonly RestoredEntry[], needsModules: boolean): CacheRecord['hit'] {
  const [mods, build] = entries;
  if (!mods || !build) return 'false';
  if (sameInputs(build) && (mods.matchedKey !== null || !needsModules)) return 'true';
  return entries.some((e) => e.matchedKey !== null) ? 'partial' : 'false';
}

async function prepareForPruning(
  req: CacheRequest,
  here: RestoredHere,
  log: Logger,
): Promise<RestoredGocache | null> {
  try {
    const names = await entryNames(req.gocache);
    if (here.aging !== null && !here.aging.mtimesKept) {
      log.warning(
        `The file system of GOCACHE (${req.gocache}) does not keep modification times, so the entries this run uses cannot be told apart: the whole GOCACHE will be saved`,
      );
    }
    const cutoffMs = here.aging?.mtimesKept ? here.aging.cutoffMs : null;
    return { pruneCutoffMs: cutoffMs, names, ours: here.ours, baseNames: here.names };
  } catch (error) {
    log.warning(
      `GOCACHE cannot be prepared for pruning (${(error as Error).message}): the whole GOCACHE will be saved`,
    );
    return null;
  }
}

/** Saves what the builds used; call it after the builds, also when some of them failed. */
export async function saveCaches(
  req: CacheRequest,
  restored: RestoredCaches,
  log: Logger,
): Promise<CacheRecord> {
  if (restored.reused !== null) return reusedRecord(req, restored, restored.reused);
  const record = cacheRecord(restored, cacheUse(req, restored));
  if (!restored.active) return record;
  const gocacheEntry = restored.entries.find((e) => e.name === 'GOCACHE');
  if (gocacheEntry && restored.gocache !== null) {
    const counted = await countNewOutputs(gocacheEntry.path, restored.gocache.names).catch(() => undefined);
    if (counted !== undefined) record.compiled = counted;
  }
  if (tagRun(req)) {
    log.info(
      `A tag run (${req.env.GITHUB_REF ?? ''}) does not save GOCACHE/GOMODCACHE: entries saved under a tag can be restored by no other ref (cache: always saves them)`,
    );
    return record;
  }
  if (!saves(req)) {
    log.info('cache: restore-only: not saving GOCACHE/GOMODCACHE');
    return record;
  }
  const setup: ClientSetup = {
    env: clientEnv(req.env),
    timeoutMs: req.timeoutMs ?? DEFAULT_CACHE_TIMEOUT_MS,
    log,
  };
  const saved: SavedEntry[] = [];
  const keep = (done: { entry: SavedEntry; bytes: number } | null): void => {
    if (done === null) return;
    saved.push(done.entry);
    record.savedBytes += done.bytes;
  };
  for (const entry of restored.entries) {
    if (entry.matchedKey === entry.key) {
      log.info(`${entry.name}: restored from its exact key ${entry.key}; not saving it again`);
      continue;
    }
    if (entry.name === 'GOMODCACHE') {
      if (sameInputs(entry)) {
        log.info(
          `GOMODCACHE: restored from ${entry.matchedKey} (the same go.sum files); not saving it again`,
        );
      } else {
        keep(await saveWhole(entry, req, setup, []));
      }
      continue;
    }
    const delta = await deltaOf(entry, restored.gocache, record.compiled, req, log);
    if (delta === 'nothing') continue;
    if (delta !== null && entry.matchedKey !== null) {
      keep(await saveDelta(deltaToSave(req, entry, entry.matchedKey, delta), setup));
      continue;
    }
    const gocache = restored.gocache;
    if (gocache && gocache.pruneCutoffMs !== null) {
      await prune(entry.path, gocache.pruneCutoffMs, gocache.ours, log);
    }
    await recordSavedInputs(entry.path, req.compileInputs).catch((error: Error) =>
      log.debug(`GOCACHE: the compile inputs were not recorded in it: ${error.message}`),
    );
    const whole = await saveWhole(entry, req, setup, narrowerRestored(entry, req.compileInputs));
    keep(whole);
    // The binaries, on top of the new entry, for a re-run to take.
    if (whole !== null && req.binaries) keep(await saveDelta(deltaToSave(req, entry, entry.key, []), setup));
  }
  if (saved.length > 0) record.saved = saved;
  if (req.cleanupToken) {
    await deleteSuperseded(saved, {
      token: req.cleanupToken,
      env: req.env,
      retryBaseMs: req.apiRetryMs ?? 1000,
      log,
    });
  }
  return record;
}

function deltaToSave(
  req: CacheRequest,
  entry: RestoredEntry,
  baseKey: string,
  gocacheFiles: DeltaFile[],
): DeltaToSave {
  const moving = movingPart(req.env, req.commitSeconds, new Date());
  return {
    base: baseKey === entry.key ? null : { key: baseKey, family: entry.family, asSaved: entry.key },
    key: deltaKeys(
      req.keyPrefix,
      req.env,
      legPrefix(entry),
      baseKey,
      req.binaries ? (req.fingerprint ?? null) : null,
      moving,
    ).key,
    family: deltaFamily(req.keyPrefix, req.env),
    gocacheFiles,
    binaries: req.binaries ?? null,
  };
}

/**
 * What to save of GOCACHE on top of the entry it was restored from: the files this run used that
 * the entry lacks, while they are a small part of it and it was saved for the same toolchain and
 * compile inputs; 'nothing' when the builds added nothing and there are no binaries to keep (a
 * copy of what was restored would cost an upload and quota); null: save a new whole entry.
 */
async function deltaOf(
  entry: RestoredEntry,
  gocache: RestoredGocache | null,
  compiled: number | undefined,
  req: CacheRequest,
  log: Logger,
): Promise<DeltaFile[] | 'nothing' | null> {
  if (entry.matchedKey === null || !sameInputs(entry) || gocache === null || gocache.pruneCutoffMs === null)
    return null;
  if (compiled === 0 && !req.binaries) {
    log.info(
      `GOCACHE: the builds added no output to what was restored from ${entry.matchedKey} (same toolchain and compile inputs); not saving a copy of it`,
    );
    return 'nothing';
  }
  const files = await usedOutside(entry.path, gocache.baseNames, gocache.pruneCutoffMs).catch(() => null);
  if (files === null) return null;
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  if (bytes > DELTA_SHARE * entry.restoredBytes) {
    log.info(
      `GOCACHE: what the builds used beyond ${entry.matchedKey} (${formatBytes(bytes)}) is over a quarter of it: saving a new entry`,
    );
    return null;
  }
  return files;
}

/** Saves a whole cache directory as `entry.key`. */
async function saveWhole(
  entry: RestoredEntry,
  req: CacheRequest,
  { env, timeoutMs, log }: ClientSetup,
  supersedes: string[],
): Promise<{ entry: SavedEntry; bytes: number } | null> {
  let size: number;
  try {
    size = await selectedSize(entry.name, entry.path);
  } catch (error) {
    log.warning(`${entry.name} was not saved: ${(error as Error).message}`);
    return null;
  }
  if (size === 0) {
    log.info(`${entry.name}: nothing to save (${entry.path} is empty)`);
    return null;
  }
  // Paths in the entry are relative to the cache's parent, so a restore can put them beside it.
  const saveEnv = { ...env, GITHUB_WORKSPACE: path.dirname(entry.path) };
  const call = await callClient(`Saving ${entry.name}`, saveEnv, timeoutMs, async () =>
    (await loadCacheClient()).saveCache(cachePaths(entry.name, entry.path), entry.key),
  );
  const problems = problemsOf(call);
  if (problems.length > 0 || call.value === undefined || call.value < 0) {
    log.warning(
      `${entry.name} was not saved: ${problems.join('; ') || 'the cache service did not accept it'}`,
    );
    return null;
  }
  log.info(`${entry.name}: saved ${formatBytes(size)} as ${entry.key}`);
  return {
    entry: {
      name: entry.name,
      key: entry.key,
      family: entry.family,
      supersedes,
      ...(entry.name === 'GOCACHE' ? { deltas: deltaFamily(req.keyPrefix, req.env) } : {}),
    },
    bytes: size,
  };
}

/**
 * The key GOCACHE was restored from when that entry was saved for other compile inputs, all of
 * which this run has (a target set that grew): the new entry then holds everything a run of the
 * old set would use, so the old one is superseded too. A set that shrank or changed keeps its entry.
 */
function narrowerRestored(entry: RestoredEntry, compileInputs: readonly string[]): string[] {
  if (entry.matchedKey === null || entry.restoredInputs === null || sameInputs(entry)) return [];
  const ours = new Set(compileInputs);
  return entry.restoredInputs.every((i) => ours.has(i)) ? [entry.matchedKey] : [];
}

async function prune(
  gocache: string,
  cutoffMs: number,
  ours: ReadonlySet<string>,
  log: Logger,
): Promise<void> {
  try {
    const p = await pruneUnused(gocache, cutoffMs, ours);
    log.info(
      `GOCACHE: keeping ${p.keptEntries} entries (${formatBytes(p.keptBytes)}) this run used or did not restore; removed ${p.removedEntries} unused (${formatBytes(p.removedBytes)})`,
    );
  } catch (error) {
    log.warning(`GOCACHE could not be pruned (${(error as Error).message}): saving it as it is`);
  }
}

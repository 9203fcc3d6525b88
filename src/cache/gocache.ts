// Pruning GOCACHE to what one run used, built on how cmd/go marks use (the same in Go 1.19, 1.23,
// 1.26 and 1.27, cmd/go/internal/cache/cache.go): reading an action entry (`<id>-a`, in Get) or an
// output (`<id>-d`, in OutputFile) calls `used` (`markUsed` since 1.24), which sets the file's
// mtime to now only when it is at least mtimeInterval (1 h) old; writing an entry sets it to now.
// Go itself deletes entries older than trimLimit + mtimeInterval (5 days + 1 h).
// So every restored entry is aged by 2 h (past the 1 h interval, far from the 5-day trim) before
// it is moved into GOCACHE; after the builds, exactly the restored entries that some build read
// or wrote are newer than the restore.
// Since Go 1.24 an output can also be a directory: a cached executable (`go run`, `go tool`, and
// from 1.25 the tools built on demand such as nm) is `<id>-d/<name>`, and its use touches the
// directory.
import { randomUUID } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeDirectories } from '../make-dirs.js';
import { compileInputsHash } from './keys.js';

/** cmd/go/internal/cache mtimeInterval. */
export const GO_MTIME_INTERVAL_MS = 60 * 60 * 1000;
const AGE_MS = 2 * GO_MTIME_INTERVAL_MS;
const BATCH = 64;
/** mtimes read back this far from what was set count as kept (FAT has 2 s resolution). */
const MTIME_TOLERANCE_MS = 2000;

export type SetTimes = (file: string, atime: Date, mtime: Date) => Promise<void>;

interface Entry {
  file: string;
  name: string;
  size: number;
  mtimeMs: number;
}

const SUBDIR = /^[0-9a-f]{2}$/;
const ENTRY = /^[0-9a-f]{64}-[ad]$/;

/** Every entry file of `gocache` by name, without reading it (none when GOCACHE does not exist). */
async function entryFiles(gocache: string): Promise<{ file: string; name: string }[]> {
  let subdirs: string[];
  try {
    subdirs = (await readdir(gocache)).filter((d) => SUBDIR.test(d));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: { file: string; name: string }[] = [];
  for (const sub of subdirs) {
    const dir = path.join(gocache, sub);
    for (const name of await readdir(dir)) {
      if (ENTRY.test(name)) files.push({ file: path.join(dir, name), name });
    }
  }
  return files;
}

/** The names of every entry of `gocache`. */
export async function entryNames(gocache: string): Promise<Set<string>> {
  return new Set((await entryFiles(gocache)).map((e) => e.name));
}

async function listEntries(gocache: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  await inBatches(await entryFiles(gocache), async ({ file, name }) => {
    const info = await stat(file);
    const size = info.isDirectory() ? await directorySize(file) : info.size;
    entries.push({ file, name, size, mtimeMs: info.mtimeMs });
  });
  return entries;
}

/** The output an action entry (`-a`) names: `v1 <action id> <output id> <size> <time>`. */
async function outputIdOf(actionEntry: string): Promise<string | undefined> {
  const text = await readFile(actionEntry, 'utf8').catch(() => '');
  return /^v1 [0-9a-f]{64} ([0-9a-f]{64}) /.exec(text)?.[1];
}

async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH) await Promise.all(items.slice(i, i + BATCH).map(fn));
}

/** Total size of the regular files under `dir` (0 when it does not exist). */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  await inBatches(names, async (name) => {
    const info = await stat(path.join(dir, name)).catch(() => null);
    if (info?.isFile()) total += info.size;
  });
  return total;
}

export interface Aging {
  /** False when the file system does not keep the mtimes we set: pruning is then impossible. */
  mtimesKept: boolean;
  entries: number;
  /** The entries' names, to tell afterwards which ones the builds added. */
  names: ReadonlySet<string>;
  bytes: number;
  /** Entries with an older mtime than this were not used after the aging. */
  cutoffMs: number;
}

/** Ages every entry of `gocache` by 2 h and checks that the file system kept it. */
export async function ageEntries(
  gocache: string,
  nowMs: number,
  setTimes: SetTimes = utimes,
): Promise<Aging> {
  const aged = new Date(nowMs - AGE_MS);
  // The midpoint between aged and fresh mtimes tolerates coarse timestamps and clock skew.
  const cutoffMs = nowMs - GO_MTIME_INTERVAL_MS;
  const entries = await listEntries(gocache);
  const bytes = entries.reduce((sum, e) => sum + e.size, 0);
  const names = new Set(entries.map((e) => e.name));
  const probe = path.join(gocache, `.mtime-probe-${randomUUID()}`);
  const samples = [probe, ...entries.slice(0, 3).map((e) => e.file)];
  try {
    // Go creates GOCACHE on first use anyway; the probe needs it now.
    await makeDirectories(gocache);
    await writeFile(probe, '');
    await setTimes(probe, aged, aged);
    await inBatches(entries, (e) => setTimes(e.file, aged, aged));
    for (const file of samples) {
      if (Math.abs((await stat(file)).mtimeMs - aged.getTime()) > MTIME_TOLERANCE_MS) {
        return { mtimesKept: false, entries: entries.length, names, bytes, cutoffMs };
      }
    }
    return { mtimesKept: true, entries: entries.length, names, bytes, cutoffMs };
  } finally {
    await unlink(probe).catch(() => undefined);
  }
}

/** How cmd/go's module index output starts (cmd/go/internal/modindex: "go index v0" … "v2"). */
const INDEX_HEADER = Buffer.from('go index v');

/**
 * How many entries of `gocache` that are not among `known` hold build output: what the builds
 * added. Module index entries do not count: Go indexes the main module's packages under a key made
 * of their files' mtimes, which every checkout renews, so each run writes one that no later run
 * can use.
 */
export async function countNewOutputs(gocache: string, known: ReadonlySet<string>): Promise<number> {
  const added = (await entryFiles(gocache)).filter((e) => !known.has(e.name));
  let outputs = 0;
  await inBatches(added, async ({ file }) => {
    if (!(await isIndexEntry(gocache, file))) outputs++;
  });
  return outputs;
}

async function isIndexEntry(gocache: string, file: string): Promise<boolean> {
  let output = file;
  if (file.endsWith('-a')) {
    const id = await outputIdOf(file);
    if (id === undefined) return false;
    output = path.join(gocache, id.slice(0, 2), `${id}-d`);
  }
  const head = Buffer.alloc(INDEX_HEADER.length);
  const handle = await open(output, 'r').catch(() => null);
  if (handle === null) return false;
  try {
    // A cached executable's directory cannot be read (EISDIR): it is build output, not an index.
    const { bytesRead } = await handle.read(head, 0, head.length, 0).catch(() => ({ bytesRead: 0 }));
    return bytesRead === head.length && head.equals(INDEX_HEADER);
  } finally {
    await handle.close();
  }
}

/**
 * The compile inputs a GOCACHE entry was saved for, kept inside it (Go never uses this directory),
 * so that a run that restored another target set's entry can tell whether its own entry holds all
 * of that one. One file per inputs hash: jobs sharing a GOCACHE never read each other's record.
 */
function savedInputsFile(gocache: string, inputsHash: string): string {
  return path.join(gocache, 'go-build-matrix', 'inputs', `${inputsHash}.json`);
}

/** What an entry of `inputsHash` was saved for; null when it recorded nothing. */
export async function readSavedInputs(gocache: string, inputsHash: string): Promise<string[] | null> {
  try {
    const parsed: unknown = JSON.parse(await readFile(savedInputsFile(gocache, inputsHash), 'utf8'));
    return Array.isArray(parsed) && parsed.every((i) => typeof i === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

/** Moved in by rename: another job may be reading the record of the same inputs. */
export async function recordSavedInputs(gocache: string, inputs: readonly string[]): Promise<void> {
  const file = savedInputsFile(gocache, compileInputsHash(inputs));
  await makeDirectories(path.dirname(file));
  const temp = `${file}.${randomUUID()}`;
  await writeFile(temp, `${JSON.stringify([...new Set(inputs)].sort())}\n`);
  await rename(temp, file);
}

export interface Pruning {
  keptEntries: number;
  keptBytes: number;
  removedEntries: number;
  removedBytes: number;
}

/**
 * Deletes the entries this job's restore brought (`ours`) that nothing touched since the aging.
 * Entries that were already there are another job's or the machine's, and a build may be reading
 * them this moment: they stay. An output (`-d`) that a kept action entry (`-a`) names is kept even
 * when stale: Go does not touch an existing output when a build reproduces it byte for byte
 * (copyFile returns early), it only writes the new `-a`. Each entry is looked at again just before
 * it goes, so one a build of another job started using meanwhile stays.
 */
export async function pruneUnused(
  gocache: string,
  cutoffMs: number,
  ours: ReadonlySet<string>,
): Promise<Pruning> {
  const entries = await listEntries(gocache);
  const unused = (e: { name: string; mtimeMs: number }) => ours.has(e.name) && e.mtimeMs < cutoffMs;
  const keep = new Set(entries.filter((e) => !unused(e)).map((e) => e.name));
  await inBatches(
    entries.filter((e) => keep.has(e.name) && e.name.endsWith('-a')),
    async (e) => {
      const output = await outputIdOf(e.file);
      if (output !== undefined) keep.add(`${output}-d`);
    },
  );
  const result: Pruning = { keptEntries: 0, keptBytes: 0, removedEntries: 0, removedBytes: 0 };
  const remove = async (e: Entry) => {
    const now = await stat(e.file).catch(() => null);
    if (now !== null && !unused({ name: e.name, mtimeMs: now.mtimeMs })) {
      result.keptEntries++;
      result.keptBytes += e.size;
      return;
    }
    await rm(e.file, { recursive: true, force: true });
    result.removedEntries++;
    result.removedBytes += e.size;
  };
  for (const e of entries.filter((e) => keep.has(e.name))) {
    result.keptEntries++;
    result.keptBytes += e.size;
  }
  // Action entries first: a build that finds one gone misses and rebuilds, one that finds an
  // action entry whose output is gone fails.
  const gone = entries.filter((e) => !keep.has(e.name));
  await inBatches(
    gone.filter((e) => e.name.endsWith('-a')),
    remove,
  );
  await inBatches(
    gone.filter((e) => e.name.endsWith('-d')),
    remove,
  );
  return result;
}

/** A GOCACHE entry file outside the base entry, with its size. */
export interface DeltaFile {
  /** `<2 hex>/<name>`, relative to GOCACHE. */
  readonly relative: string;
  readonly file: string;
  readonly size: number;
}

/**
 * The entries this run wrote or used that the base entry (`baseNames`) does not hold: everything a
 * later run restoring the base needs on top of it to find what this run found. An action entry's
 * output comes with it; module index entries do not.
 */
export async function usedOutside(
  gocache: string,
  baseNames: ReadonlySet<string>,
  cutoffMs: number,
): Promise<DeltaFile[]> {
  const entries = (await listEntries(gocache)).filter((e) => !baseNames.has(e.name));
  const taken = new Set(entries.filter((e) => e.mtimeMs >= cutoffMs).map((e) => e.name));
  await inBatches(
    entries.filter((e) => taken.has(e.name) && e.name.endsWith('-a')),
    async (e) => {
      const output = await outputIdOf(e.file);
      if (output !== undefined) taken.add(`${output}-d`);
    },
  );
  // Module index entries are keyed by the checkout's mtimes: no later run finds them.
  const index = new Set<string>();
  await inBatches(
    entries.filter((e) => taken.has(e.name) && e.name.endsWith('-a')),
    async (e) => {
      if (await isIndexEntry(gocache, e.file)) {
        index.add(e.name);
        const output = await outputIdOf(e.file);
        if (output !== undefined) index.add(`${output}-d`);
      }
    },
  );
  return entries
    .filter((e) => taken.has(e.name) && !index.has(e.name))
    .map((e) => ({ relative: path.relative(gocache, e.file), file: e.file, size: e.size }));
}

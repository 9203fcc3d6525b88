// Restoring into a cache directory other jobs may be using at that moment (self-hosted runners
// run several jobs under one HOME, so one GOCACHE and one GOMODCACHE): the entry is extracted
// into a directory beside the cache, on the same file system, and only what the cache lacks is
// moved in, each directory by one rename and each file by a hard link, neither of which can
// replace a file that exists. Whatever was already there stays untouched, so no build reading
// it sees it change or vanish; what is left in the staging directory is removed.
import { randomUUID } from 'node:crypto';
import { chmod, link, lstat, readdir, realpath, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { makeDirectories } from '../make-dirs.js';

export interface Staging {
  /** What @actions/cache gets as GITHUB_WORKSPACE: entries hold paths relative to the cache's parent. */
  root: string;
  /** Where the entry's copy of the cache directory lands. */
  tree: string;
}

/**
 * A fresh directory next to `cacheDir`, or next to where it links to (RUNNER_TEMP may be on another
 * file system, where rename fails).
 */
export async function makeStaging(cacheDir: string): Promise<Staging> {
  const real = await realpath(cacheDir).catch(() => cacheDir);
  const root = path.join(path.dirname(real), `.${path.basename(real)}.restore-${randomUUID()}`);
  await makeDirectories(root);
  return { root, tree: path.join(root, path.basename(cacheDir)) };
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/**
 * Moves into `into` every file and directory of `from` that `into` lacks; `first` names are
 * merged before the others (GOMODCACHE's `cache`: Go trusts an extracted module only when its
 * download record is there).
 */
export async function mergeMissing(from: string, into: string, first: readonly string[] = []): Promise<void> {
  await makeDirectories(into);
  const names = (await readdir(from)).sort((a, b) => Number(first.includes(b)) - Number(first.includes(a)));
  for (const name of names) {
    const source = path.join(from, name);
    const target = path.join(into, name);
    const info = await lstat(source);
    if (!info.isDirectory()) {
      try {
        await link(source, target);
        await unlink(source);
      } catch (error) {
        if (code(error) !== 'EEXIST') throw error;
      }
      continue;
    }
    if (await moveDirectory(source, target, info.mode)) continue;
    const there = await lstat(target);
    // A read-only directory is complete as Go left it (a module's files): nothing to add.
    if (there.isDirectory() && (there.mode & 0o200) !== 0) await mergeMissing(source, target);
  }
}

/** False when `target` exists (or appeared meanwhile: rename onto a non-empty directory fails). */
async function moveDirectory(source: string, target: string, mode: number): Promise<boolean> {
  if (
    await lstat(target).then(
      () => true,
      () => false,
    )
  )
    return false;
  // rename(2) moves a directory to another parent only when the directory is writable (its
  // '..' changes); Go's module directories are read-only.
  const readOnly = (mode & 0o200) === 0;
  if (readOnly) await chmod(source, mode | 0o200);
  try {
    await rename(source, target);
  } catch (error) {
    if (readOnly) await chmod(source, mode);
    if (code(error) === 'ENOTEMPTY' || code(error) === 'EEXIST') return false;
    throw error;
  }
  if (readOnly) await chmod(target, mode);
  return true;
}

/** Removes the staging directory, read-only module directories included. */
export async function removeStaging(staging: Staging): Promise<void> {
  const names = await readdir(staging.root, { recursive: true }).catch(() => []);
  for (const name of names) {
    const file = path.join(staging.root, name);
    const info = await lstat(file).catch(() => null);
    if (info?.isDirectory() && (info.mode & 0o200) === 0) await chmod(file, info.mode | 0o200);
  }
  await rm(staging.root, { recursive: true, force: true });
}

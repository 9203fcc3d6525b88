// What output-dir holds after a run: only files this run vouches for under the names that ship.
// A failed target's file is kept apart for inspection; files an earlier run wrote and this one
// did not are removed, and only those: output-dir may be '.' or hold the user's own files.
import { chmod, lstat, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256File } from '../hash.js';
import type { Logger } from '../log.js';
import { makeDirectories } from '../make-dirs.js';
import { InputError } from '../options/errors.js';
import type { Manifest } from '../report/manifest.js';

/** The folder of output-dir that keeps the files of failed targets, never shipped. */
export const FAILED_DIR = 'failed';

/** Files the tool writes into output-dir on every run, whatever it built (release-manifest.json: src/release/assets.ts). */
const OWN_FILES = [
  'manifest.json',
  'attestation-subjects.sha256',
  'release-manifest.json',
  'badge.svg',
  'badge.json',
];

/**
 * Moves a failed target's file from the name a good one would have to failed/<that name>, not
 * executable: a `files: dist/*` step cannot ship it, a person can still inspect it. Renamed,
 * not copied, so no moment leaves it under the good name twice. Returns where it lies now, or
 * null when it could not be moved and was removed instead.
 */
export async function setAside(file: string, outputDir: string, log: Logger): Promise<string | null> {
  const relative = path.relative(outputDir, file);
  const dest = path.join(outputDir, FAILED_DIR, relative);
  try {
    await makeDirectories(path.dirname(dest));
    await rename(file, dest);
    await chmod(dest, 0o644);
    return dest;
  } catch (err) {
    await rm(file, { force: true });
    log.warning(
      `${file} failed and could not be kept in ${FAILED_DIR}/ (${(err as Error).message}): removed.`,
    );
    return null;
  }
}

/**
 * Every file a manifest names (binaries, failed files, archives, SBOMs, checksums), absolute,
 * with the sha256 it recorded for it, or null when it recorded none.
 */
export function manifestFiles(manifest: Manifest, baseDir: string): Map<string, string | null> {
  const files = new Map<string, string | null>();
  const add = (file: string | null | undefined, sha256: string | null): void => {
    if (typeof file === 'string' && file !== '') files.set(path.resolve(baseDir, file), sha256);
  };
  for (const a of manifest.artifacts) {
    add(a.path, a.sha256);
    add(a.archive, a.archiveSha256);
    for (const sbom of a.sboms ?? []) add(sbom, null);
  }
  add(manifest.checksums, null);
  return files;
}

/** The manifest an earlier run left in output-dir, or null when there is none that can be read. */
export async function previousManifest(outputDir: string, log: Logger): Promise<Manifest | null> {
  let text: string;
  try {
    text = await readFile(path.join(outputDir, 'manifest.json'), 'utf8');
  } catch {
    return null;
  }
  try {
    const manifest = JSON.parse(text) as Manifest;
    return Array.isArray(manifest.artifacts) ? manifest : null;
  } catch {
    log.warning(
      `${path.join(outputDir, 'manifest.json')} of an earlier run cannot be read: its files are not removed.`,
    );
    return null;
  }
}

function inside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

export interface TidyRequest {
  readonly outputDir: string;
  /** Manifest paths are relative to it. */
  readonly baseDir: string;
  /** Where the sources are: files there are the user's, named only at info level. */
  readonly workingDirectory: string;
  readonly previous: Manifest | null;
  readonly current: Manifest;
}

/**
 * After this run's manifest is written: removes what the earlier run's manifest listed inside
 * output-dir and this run did not write again, then names, in one line, what else output-dir
 * holds that this run's manifest does not list (never removed: the tool did not write it).
 */
export async function tidyOutputDir(req: TidyRequest, log: Logger): Promise<string[]> {
  const outputDir = path.resolve(req.outputDir);
  const current = new Set(manifestFiles(req.current, req.baseDir).keys());
  const removed: string[] = [];
  if (req.previous !== null) {
    for (const [file, sha256] of manifestFiles(req.previous, req.baseDir)) {
      if (current.has(file) || !inside(file, outputDir)) continue;
      const info = await lstat(file).catch(() => null);
      if (info === null || !info.isFile()) continue;
      // Replaced since (by a person or another tool): not the file that run wrote, so it stays.
      if (sha256 !== null && (await sha256File(file).catch(() => null)) !== sha256) continue;
      await rm(file, { force: true });
      removed.push(path.relative(outputDir, file));
    }
    // failed/ (and any folder a name template made) goes when it is left empty.
    const folders = new Set(removed.map((r) => path.dirname(r)).filter((d) => d !== '.'));
    for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
      await rmdir(path.join(outputDir, folder)).catch(() => undefined);
    }
  }
  if (removed.length > 0) {
    log.info(
      `Removed ${removed.length} file(s) an earlier run wrote and this one did not: ${removed.join(' ')}`,
    );
  }
  const strays = await unlisted(outputDir, current);
  if (strays.length > 0) {
    const shown =
      strays.slice(0, 10).join(' ') + (strays.length > 10 ? ` and ${strays.length - 10} more` : '');
    const message = `output-dir ${outputDir} also holds ${strays.length} entr${strays.length === 1 ? 'y' : 'ies'} this run did not write, not in manifest.json and left in place: ${shown}`;
    const sources = path.resolve(req.workingDirectory);
    if (sources === outputDir || inside(sources, outputDir)) log.info(message);
    else log.warning(`${message}. A step that ships output-dir/* would ship them too.`);
  }
  return removed;
}

/** Top-level entries of output-dir that hold no file of `current` and are not the tool's own. */
async function unlisted(outputDir: string, current: ReadonlySet<string>): Promise<string[]> {
  const entries = await readdir(outputDir).catch(() => [] as string[]);
  return entries
    .filter((name) => !name.startsWith('.') && !OWN_FILES.includes(name))
    .filter((name) => {
      const entry = path.join(outputDir, name);
      return ![...current].some((file) => file === entry || inside(file, entry));
    })
    .sort();
}

/** Fails before any build when output-dir cannot take files, instead of every target failing alike. */
export async function checkWritable(outputDir: string): Promise<void> {
  const probe = path.join(outputDir, `.go-build-matrix-probe-${process.pid}`);
  try {
    await makeDirectories(outputDir);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (err) {
    throw new InputError('output-dir', outputDir, `Nothing can be written there: ${(err as Error).message}.`);
  }
}

// The release set: the files a release of this build holds, named as the release names them.
// The same list feeds the upload and the attestation subjects, so they cannot disagree.
import { rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../report/manifest.js';
import { MANIFEST_FILE, releaseView } from '../report/manifest.js';
import { sha256File } from '../hash.js';
import { assetNames, checkInside } from '../package/shipped.js';

export interface ReleaseFile {
  /** The asset name: the file's base name. */
  name: string;
  /** Absolute. */
  file: string;
  sha256: string;
  size: number;
}

export const SUBJECTS_FILE = 'attestation-subjects.sha256';
/** The release's manifest.json, written beside the run's own (which holds this run's timings too). */
export const RELEASE_MANIFEST_FILE = 'release-manifest.json';

/**
 * Every target that passed contributes its archive (the binary itself with `archive: none`) and
 * its SBOMs; then checksums.txt, and last the manifest (`releaseView`, as asset manifest.json),
 * from which `verify --release` and the next release's size comparison read the targets. Each must
 * lie inside output-dir, symlinks followed. Hashes are taken from the files as they are now, so
 * what is uploaded and attested is exactly what lies in output-dir.
 */
export async function releaseFiles(
  manifest: Manifest,
  baseDir: string,
  outputDir: string,
): Promise<ReleaseFile[]> {
  const relative = manifest.artifacts
    .filter((a) => a.status === 'ok')
    .flatMap((a) => [
      ...(a.archive !== null ? [a.archive] : a.path !== null ? [a.path] : []),
      ...(a.sboms ?? []),
    ]);
  if (manifest.checksums !== null) relative.push(manifest.checksums);
  const unique = [...new Set(relative.map((rel) => path.resolve(baseDir, rel)))];
  const byName = assetNames(unique, 'in the release');
  const files: ReleaseFile[] = [];
  for (const [name, file] of byName) {
    await checkInside(file, outputDir, 'release');
    const [sha256, info] = await Promise.all([sha256File(file), stat(file)]);
    files.push({ name, file, sha256, size: info.size });
  }
  files.push(await releaseManifest(manifest, outputDir));
  return files;
}

async function releaseManifest(manifest: Manifest, outputDir: string): Promise<ReleaseFile> {
  const file = path.join(outputDir, RELEASE_MANIFEST_FILE);
  const bytes = Buffer.from(`${JSON.stringify(releaseView(manifest), null, 2)}\n`);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, bytes);
  await rename(temp, file);
  return { name: MANIFEST_FILE, file, sha256: await sha256File(file), size: bytes.length };
}

/** `sha256  name` lines, the format actions/attest reads as `subject-checksums`. */
export async function writeSubjects(outputDir: string, files: readonly ReleaseFile[]): Promise<string> {
  const target = path.join(outputDir, SUBJECTS_FILE);
  await writeFile(target, files.map((f) => `${f.sha256}  ${f.name}\n`).join(''));
  return target;
}

// The release set: the files a release of this build holds, named as the release names them.
// The same list feeds the upload and the attestation subjects, so they cannot disagree.
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../report/manifest.js';
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

/**
 * Every target that passed contributes its archive (the binary itself with `archive: none`) and
 * its SBOMs; checksums.txt comes last. Each must lie inside output-dir, symlinks followed. Hashes
 * are taken from the files as they are now, so what is uploaded and attested is exactly what
 * lies in output-dir.
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
  return files;
}

/** `sha256  name` lines, the format actions/attest reads as `subject-checksums`. */
export async function writeSubjects(outputDir: string, files: readonly ReleaseFile[]): Promise<string> {
  const target = path.join(outputDir, SUBJECTS_FILE);
  await writeFile(target, files.map((f) => `${f.sha256}  ${f.name}\n`).join(''));
  return target;
}

// After a build or a collect: the attestation subjects (always) and the release (when asked).
// The action and the CLI share this step; each reports its result in its own way.
import path from 'node:path';
import type { Logger } from '../log.js';
import type { Options } from '../options/options.js';
import type { Manifest } from '../report/manifest.js';
import type { ReleaseOutcome } from './index.js';
import { publishRelease, releaseFiles, writeSubjects } from './index.js';

export interface HandOffRequest {
  manifest: Manifest;
  options: Pick<
    Options,
    'outputDir' | 'release' | 'releaseNotes' | 'prerelease' | 'makeLatest' | 'githubToken'
  >;
  baseDir: string;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  /** Requested targets no build delivered (collect mode). */
  missing: readonly string[];
}

export interface HandOff {
  /** The subjects file, relative to baseDir. */
  subjects: string;
  /** null when no release was asked for. */
  release: ReleaseOutcome | null;
}

export async function handOff(req: HandOffRequest): Promise<HandOff> {
  const files = await releaseFiles(req.manifest, req.baseDir, req.options.outputDir);
  const subjects = path
    .relative(req.baseDir, await writeSubjects(req.options.outputDir, files))
    .split(path.sep)
    .join('/');
  if (req.options.release === 'false') return { subjects, release: null };
  const release = await publishRelease({
    manifest: req.manifest,
    files,
    mode: req.options.release,
    notes: req.options.releaseNotes,
    prerelease: req.options.prerelease,
    makeLatest: req.options.makeLatest,
    token: req.options.githubToken,
    missing: req.missing,
    env: req.env,
    log: req.log,
  });
  return { subjects, release };
}

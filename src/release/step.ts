// After a build or a collect: the attestation subjects (always) and the release (when asked).
// The action and the CLI share this step; each reports its result in its own way.
import path from 'node:path';
import type { Logger } from '../log.js';
import type { Options } from '../options/options.js';
import type { Manifest } from '../report/manifest.js';
import { msFromEnv } from '../env-knobs.js';
import type { ReleaseVerification } from '../verify-release/index.js';
import { renderVerification, verifyRelease } from '../verify-release/index.js';
import type { ReleaseOutcome } from './index.js';
import { publishRelease, releaseFiles, writeSubjects } from './index.js';

export interface HandOffRequest {
  manifest: Manifest;
  options: Pick<
    Options,
    'outputDir' | 'release' | 'releaseNotes' | 'prerelease' | 'makeLatest' | 'githubToken' | 'verifyRelease'
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
  /** The release's assets as downloaded and verified; null when no release was made or verify-release is off. */
  verification: ReleaseVerification | null;
}

export async function handOff(req: HandOffRequest): Promise<HandOff> {
  const files = await releaseFiles(req.manifest, req.baseDir, req.options.outputDir);
  const subjects = path
    .relative(req.baseDir, await writeSubjects(req.options.outputDir, files))
    .split(path.sep)
    .join('/');
  if (req.options.release === 'false') return { subjects, release: null, verification: null };
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
  const verification =
    req.options.verifyRelease && release.state !== 'skipped' && release.tag !== null
      ? await verifyPublished(release.tag, req)
      : null;
  return { subjects, release, verification };
}

/**
 * The release as its users receive it: every asset downloaded again and verified. Throws, naming
 * each asset that failed and why, when one did.
 */
async function verifyPublished(tag: string, req: HandOffRequest): Promise<ReleaseVerification> {
  const [owner = '', repo = ''] = (req.env.GITHUB_REPOSITORY ?? '').split('/');
  const verification = await verifyRelease({
    source: {
      kind: 'release',
      owner,
      repo,
      tag,
      token: req.options.githubToken,
      apiUrl: req.env.GITHUB_API_URL,
      retryBaseMs: msFromEnv(req.env, 'GO_BUILD_MATRIX_API_RETRY_MS') ?? 1000,
    },
    log: req.log,
  });
  const failed = verification.rows.filter((r) => r.problems.length > 0);
  req.log.group(
    `Release ${tag}: verified as downloaded (${verification.rows.length - failed.length} of ${verification.rows.length} asset(s) ok)`,
    renderVerification(verification).trimEnd().split('\n'),
  );
  if (failed.length > 0) {
    throw new Error(
      `Release ${tag} was made, but ${failed.length} asset(s) as downloaded are not what this build made: ${failed
        .map((r) => `${r.asset} (${r.problems.join('; ')})`)
        .join(', ')}. Delete or fix them (verify-release: false skips this check).`,
    );
  }
  return verification;
}

import type { Logger } from '../log.js';
import type { Options } from '../options/options.js';
import { writeBadge } from './badge.js';
import type { Manifest } from './manifest.js';
import { setCommitStatus } from './status.js';

/**
 * The optional reports after a build or a collect: the badge files and the commit status.
 * Neither may fail a build: trouble is a warning that says what to do.
 */
export async function publishReports(
  manifest: Manifest,
  options: Pick<Options, 'badge' | 'status' | 'outputDir' | 'githubToken'>,
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
): Promise<void> {
  if (options.badge) {
    try {
      const { svg, json } = await writeBadge(options.outputDir, manifest);
      log.info(`Wrote ${svg} and ${json}`);
    } catch (err) {
      log.warning(`The badge could not be written: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (options.status) await setCommitStatus(manifest, { token: options.githubToken, env, log });
}

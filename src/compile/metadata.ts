import { run } from '../exec.js';
import { releaseTag, tagVersion } from '../release/tag.js';

/** What `{version}`, `{commit}` and `{date}` stand for. */
export interface SourceMetadata {
  readonly version: string;
  readonly commit: string;
  /** RFC 3339 UTC: the commit date, so rebuilding the same commit gives the same bytes. */
  readonly date: string;
}

async function git(
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<string | null> {
  const result = await run(['git', ...args], { cwd, env, timeoutMs: 30_000 });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

function isoFromEpoch(seconds: string): string | null {
  if (!/^\d+$/.test(seconds.trim())) return null;
  return new Date(Number(seconds.trim()) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Reads the version, commit and commit date: Actions' GITHUB_REF/GITHUB_SHA first (they
 * describe the checked-out ref even in a shallow clone), then git, then neutral fallbacks.
 */
export async function readSourceMetadata(
  cwd: string,
  env: Record<string, string>,
  versionInput: string | null,
): Promise<SourceMetadata> {
  const [described, head, commitEpoch] = await Promise.all([
    versionInput === null
      ? git(['describe', '--tags', '--always', '--dirty'], cwd, env)
      : Promise.resolve(null),
    git(['rev-parse', 'HEAD'], cwd, env),
    git(['log', '-1', '--format=%ct'], cwd, env),
  ]);
  // A sub-module's tag (tools/v0.2.0) names its version last, as Go reads it; the rest would be a directory in a file name.
  const named = releaseTag(env) ?? (described || null);
  const version = versionInput ?? (named === null ? 'dev' : tagVersion(named));
  const commit = env.GITHUB_SHA || head || '';
  const date =
    isoFromEpoch(env.SOURCE_DATE_EPOCH ?? '') ??
    (commitEpoch ? isoFromEpoch(commitEpoch) : null) ??
    new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { version, commit, date };
}

// The commit status "go-build-matrix: 12/12 targets verified" on the built commit. Optional:
// every problem becomes a warning that says what to do, never a failed build.
import { readFile } from 'node:fs/promises';
import type { Logger } from '../log.js';
import { verdict } from './badge.js';
import type { Manifest } from './manifest.js';

export const STATUS_CONTEXT = 'go-build-matrix';
const TIMEOUT_MS = 30_000;

export interface StatusOptions {
  token: string;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
}

/** A pull request's checks show statuses of its head commit, not of the merge commit GITHUB_SHA names. */
async function headSha(env: StatusOptions['env']): Promise<string | undefined> {
  if (env.GITHUB_EVENT_PATH) {
    const payload: unknown = await readFile(env.GITHUB_EVENT_PATH, 'utf8')
      .then((text) => JSON.parse(text) as unknown)
      .catch(() => null);
    const sha = (payload as { pull_request?: { head?: { sha?: unknown } } } | null)?.pull_request?.head?.sha;
    if (typeof sha === 'string' && sha !== '') return sha;
  }
  return env.GITHUB_SHA || undefined;
}

export async function setCommitStatus(manifest: Manifest, { token, env, log }: StatusOptions): Promise<void> {
  const sha = await headSha(env);
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const repoOk = Boolean(owner && repo) && rest.length === 0;
  if (!token || !owner || !repo || !repoOk || !sha) {
    const missing = [
      ...(token ? [] : ['a token (input github-token; GITHUB_TOKEN or GH_TOKEN on the command line)']),
      ...(repoOk ? [] : ['the repository (GITHUB_REPOSITORY as OWNER/REPO)']),
      ...(sha ? [] : ['the commit (GITHUB_SHA)']),
    ];
    log.warning(
      `No commit status was set: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing. Set status: true only inside GitHub Actions, with github-token.`,
    );
    return;
  }
  const v = verdict(manifest);
  const runUrl =
    env.GITHUB_SERVER_URL && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  try {
    // Loaded on first use, like the other service clients, to keep the start fast.
    const { getOctokit } = await import('@actions/github');
    const octokit = getOctokit(token, env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {});
    await octokit.rest.repos.createCommitStatus({
      owner,
      repo,
      sha,
      state: v.passed ? 'success' : 'failure',
      context: STATUS_CONTEXT,
      description: `${v.good}/${v.total} targets ${v.word}`,
      ...(runUrl ? { target_url: runUrl } : {}),
      request: { signal: AbortSignal.timeout(TIMEOUT_MS) },
    });
    log.info(
      `Commit status ${STATUS_CONTEXT} set on ${sha.slice(0, 12)}: ${v.good}/${v.total} targets ${v.word}`,
    );
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    // Never echo the token, whatever the error text holds.
    const reason = (err instanceof Error ? err.message : String(err)).split(token).join('***');
    const hint =
      status === 403 || status === 404
        ? " Grant the job 'permissions: statuses: write' (and pass a token that has it as github-token)."
        : '';
    log.warning(`The commit status could not be set on ${sha.slice(0, 12)}: ${reason}.${hint}`);
  }
}

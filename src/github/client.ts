// The GitHub REST client (releases, cache entries): @actions/github's Octokit with retries of 5xx answers,
// and the errors it throws turned into sentences.
import type { getOctokit as GetOctokit } from '@actions/github';

export type GitHubClient = ReturnType<typeof GetOctokit>;

export interface ClientOptions {
  token: string;
  /** GITHUB_API_URL; GitHub.com when absent. */
  baseUrl: string | undefined;
  /** First pause between attempts (retries wait 1×, 4×, 9× this); 1 s unless tuned. */
  retryBaseMs: number;
}

export async function makeClient(options: ClientOptions): Promise<GitHubClient> {
  // Loaded on first use, like the other service clients, to keep the start fast.
  const [{ getOctokit }, { retry }] = await Promise.all([
    import('@actions/github'),
    import('@octokit/plugin-retry'),
  ]);
  return getOctokit(
    options.token,
    {
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      retry: { retryAfterBaseValue: options.retryBaseMs },
    },
    retry,
  );
}

export interface ApiFailure {
  status: number | null;
  /** GitHub's message, with the token never in it. */
  message: string;
  /** The permission GitHub says the endpoint needs (x-accepted-github-permissions), as a workflow writes it. */
  permission: string | null;
  /** GitHub's validation error codes (already_exists, …). */
  codes: string[];
  /** The message of GitHub's answer alone, without the details Octokit appends. */
  apiMessage: string | null;
}

export function apiFailure(err: unknown, token: string): ApiFailure {
  const e = err as {
    status?: unknown;
    message?: unknown;
    response?: {
      headers?: Record<string, unknown>;
      data?: { message?: unknown; errors?: { code?: unknown }[] };
    };
  };
  const status = typeof e.status === 'number' ? e.status : null;
  const mask = (text: string) => (token === '' ? text : text.split(token).join('***'));
  const text = mask(typeof e.message === 'string' ? e.message : String(err));
  const accepted = e.response?.headers?.['x-accepted-github-permissions'];
  // "contents=write" (several are joined by ',' or ';'): the workflow spelling is "contents: write".
  const permission =
    typeof accepted === 'string' && accepted !== ''
      ? accepted
          .split(/[;,]/)
          .map((p) => p.trim().replace('=', ': '))
          .join(', ')
      : null;
  const codes = (e.response?.data?.errors ?? []).flatMap((x) => (typeof x.code === 'string' ? [x.code] : []));
  const data = e.response?.data?.message;
  const apiMessage = typeof data === 'string' ? mask(data) : null;
  return { status, message: text, permission, codes, apiMessage };
}

// The GitHub REST client (releases, cache entries): @actions/github's Octokit with retries of 5xx
// answers, GitHub's rate-limit answers honoured, and the errors it throws turned into sentences.
import type { getOctokit as GetOctokit } from '@actions/github';

export type GitHubClient = ReturnType<typeof GetOctokit>;

export interface ClientOptions {
  token: string;
  /** GITHUB_API_URL; GitHub.com when absent. */
  baseUrl: string | undefined;
  /** First pause between attempts (retries wait 1×, 4×, 9× this); 1 s unless tuned. It also scales rate-limit waits. */
  retryBaseMs: number;
  /** Told once per rate-limit answer that is waited out. */
  onRateLimit?: (message: string) => void;
}

/** Rate-limit answers waited out per request before the error reaches the caller. */
const RATE_LIMIT_RETRIES = 3;
/** A wait longer than this (seconds) is not waited out: the job would sit idle past any sensible time. */
const LONGEST_WAIT_S = 15 * 60;

export async function makeClient(options: ClientOptions): Promise<GitHubClient> {
  // Loaded on first use, like the other service clients, to keep the start fast.
  const [{ getOctokit }, { retry }, { throttling }, light] = await Promise.all([
    import('@actions/github'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
    // The light build (no Redis clustering) is the one both Octokit plugins load.
    import('bottleneck/light.js'),
  ]);
  const Bottleneck = light.default;
  // GitHub asks for secondary-rate-limited clients to wait `retry-after` seconds, or until
  // `x-ratelimit-reset` when no request is left; the throttling plugin reads both headers.
  const limited =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const wait = retryCount < RATE_LIMIT_RETRIES && retryAfter <= LONGEST_WAIT_S;
      options.onRateLimit?.(
        `GitHub answered ${request.method} ${request.url} with its ${kind} rate limit; ${wait ? `retrying in ${retryAfter} s` : 'giving up'}.`,
      );
      return wait;
    };
  return getOctokit(
    options.token,
    {
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      retry: { retryAfterBaseValue: options.retryBaseMs },
      throttle: {
        retryAfterBaseValue: options.retryBaseMs,
        onRateLimit: limited('primary'),
        onSecondaryRateLimit: limited('secondary'),
        // GitHub's advice for content-creating requests: one at a time, a second apart (three for
        // those that notify people, such as creating a release); the plugin's defaults, scaled.
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.retryBaseMs }),
        notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * options.retryBaseMs }),
      },
    },
    retry,
    throttling,
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

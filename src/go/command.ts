import { describeFailure, run } from '../exec.js';
import type { RunResult } from '../exec.js';

/** Thrown when a `go` query (not a build) fails: the toolchain itself is unusable or misconfigured. */
export class GoCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoCommandError';
  }
}

/** Runs `go <args>` for a fact and returns stdout; any failure is a GoCommandError with go's own words. */
export async function goQuery(
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<string> {
  const argv = ['go', ...args];
  const result: RunResult = await run(argv, { cwd, env, timeoutMs: 120_000 });
  if (result.spawnError !== null && /ENOENT/.test(result.spawnError)) {
    throw new GoCommandError(
      'Go was not found on PATH. Install it before this step (for example with actions/setup-go), or put the go command on PATH.',
    );
  }
  if (result.exitCode !== 0) {
    const detail = result.stderr.trim().split('\n').slice(0, 10).join('\n');
    throw new GoCommandError(
      `${describeFailure(argv.join(' ').slice(0, 80), result)}${detail ? `:\n${detail}` : ''}`,
    );
  }
  return result.stdout;
}

export async function goJson<T>(
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<T> {
  const text = await goQuery(args, cwd, env);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new GoCommandError(
      `go ${args.join(' ')} did not print JSON: ${text.slice(0, 200)}; the go first on PATH does not answer as Go does: put a Go toolchain first on PATH`,
    );
  }
}

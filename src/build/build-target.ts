import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { describeFailure, run } from '../exec.js';
import type { Diagnostic } from './diagnostics.js';
import { parseDiagnostics } from './diagnostics.js';
import type { BuildJob } from './plan.js';

export interface BuildOutcome {
  readonly job: BuildJob;
  readonly ok: boolean;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly seconds: number | null;
  /** What went wrong, in a sentence; null on success. */
  readonly error: string | null;
  /** go's own output (compiler/linker messages). */
  readonly output: string;
  readonly diagnostics: readonly Diagnostic[];
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Builds one job. Whatever happens, the result says so: a failed, killed or timed-out build
 * never leaves a file behind that could be mistaken for its output.
 */
export async function buildTarget(
  job: BuildJob,
  cwd: string,
  workspace: string,
  timeoutMs: number,
): Promise<BuildOutcome> {
  const failed = (
    error: string,
    output = '',
    seconds: number | null = null,
    diagnostics: Diagnostic[] = [],
  ): BuildOutcome => ({
    job,
    ok: false,
    size: null,
    sha256: null,
    seconds,
    error,
    output,
    diagnostics,
  });
  if (job.cannotBuild !== null) return failed(job.cannotBuild);
  // A file from an earlier run must never pass for this run's output.
  await rm(job.output, { force: true });
  await mkdir(path.dirname(job.output), { recursive: true });
  const result = await run(job.argv, { cwd, env: job.env, timeoutMs });
  const output = `${result.stdout}${result.stderr}`.trim();
  if (result.exitCode !== 0 || result.timedOut || result.signal !== null || result.spawnError !== null) {
    await rm(job.output, { force: true });
    const reason = result.timedOut
      ? `go build did not finish within the build-timeout (${Math.round(timeoutMs / 1000)} s) and was stopped`
      : describeFailure('go build', result);
    return failed(
      `${reason}${firstLines(output)}`,
      output,
      result.seconds,
      parseDiagnostics(output, cwd, workspace),
    );
  }
  let size: number;
  try {
    size = (await stat(job.output)).size;
  } catch {
    return failed(`go build succeeded but wrote no file at ${job.output}`, output, result.seconds);
  }
  return {
    job,
    ok: true,
    size,
    sha256: await sha256File(job.output),
    seconds: result.seconds,
    error: null,
    output,
    diagnostics: [],
  };
}

function firstLines(output: string): string {
  const lines = output.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('# '));
  if (lines.length === 0) return '';
  const shown = lines.slice(0, 5);
  return `: ${shown.join('\n')}${lines.length > shown.length ? `\n… ${lines.length - shown.length} more lines` : ''}`;
}

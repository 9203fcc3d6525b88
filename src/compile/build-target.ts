import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeFailure, run } from '../exec.js';
import type { Diagnostic } from './diagnostics.js';
import { parseDiagnostics } from './diagnostics.js';
import type { BuildJob } from './plan.js';
import { makeDirectories } from '../make-dirs.js';

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

/** A build's outcome and, when it wrote a file, that file's bytes: read once, then hashed, verified and archived from memory. */
export interface Built {
  readonly outcome: BuildOutcome;
  readonly bytes: Buffer | null;
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
): Promise<Built> {
  const failed = (
    error: string,
    output = '',
    seconds: number | null = null,
    diagnostics: Diagnostic[] = [],
  ): Built => ({
    outcome: { job, ok: false, size: null, sha256: null, seconds, error, output, diagnostics },
    bytes: null,
  });
  if (job.cannotBuild !== null) return failed(job.cannotBuild);
  // A file from an earlier run must never pass for this run's output.
  await rm(job.output, { force: true });
  await makeDirectories(path.dirname(job.output));
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
  let bytes: Buffer;
  try {
    bytes = await readFile(job.output);
  } catch {
    return failed(`go build succeeded but wrote no file at ${job.output}`, output, result.seconds);
  }
  return succeeded(job, bytes, result.seconds, output);
}

/** A job's file, read back: its outcome carries size and sha256. */
function succeeded(job: BuildJob, bytes: Buffer, seconds: number, output: string): Built {
  return {
    outcome: {
      job,
      ok: true,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      seconds,
      error: null,
      output,
      diagnostics: [],
    },
    bytes,
  };
}

/** Writes a binary an earlier run built from the same inputs where this job's build would. */
export async function placeReused(job: BuildJob, bytes: Buffer): Promise<Built> {
  await rm(job.output, { force: true });
  await makeDirectories(path.dirname(job.output));
  await writeFile(job.output, bytes, { mode: 0o755 });
  return succeeded(job, bytes, 0, 'taken from the cache: an earlier run built it from the same inputs');
}

function firstLines(output: string): string {
  const lines = output.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('# '));
  if (lines.length === 0) return '';
  const shown = lines.slice(0, 5);
  return `: ${shown.join('\n')}${lines.length > shown.length ? `\n… ${lines.length - shown.length} more lines` : ''}`;
}

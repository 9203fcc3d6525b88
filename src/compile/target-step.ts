// One target, start to finish: build, then verify, smoke-test and archive it while the other
// targets are still compiling, so none of that work waits for the matrix to end.
import path from 'node:path';
import type { EngineContext, StepContext, TargetResult } from '../pipeline/context.js';
import { archiveBinary, archiveKind } from '../package/index.js';
import { setAside } from '../package/output-dir.js';
import type { SmokeRecord } from '../report/manifest.js';
import { describeSigning } from '../report/format.js';
import { smokePassed, smokeTest } from '../smoke/index.js';
import { buildTarget, placeReused } from './build-target.js';
import { pinnedRecord } from './env.js';
import type { BuildJob } from './plan.js';
import { executableExtension } from './plan.js';
import { stampNotes } from './stamp.js';
import type { VerifyResult } from '../verify/index.js';
import { verifyBuilt } from '../verify/stage.js';

function extensionOf(job: BuildJob): string {
  return executableExtension(job.target.goos, job.target.goarch);
}

/** A target whose binary becomes a slice of the darwin universal binary. */
export function isUniversalSlice(job: BuildJob): boolean {
  return job.target.goos === 'darwin' && (job.target.goarch === 'amd64' || job.target.goarch === 'arm64');
}

export function failed(result: TargetResult): boolean {
  return (
    !result.outcome.ok || result.verify?.ok === false || (result.smoke !== null && !smokePassed(result.smoke))
  );
}

/**
 * `releaseSlot` is called once the target is built, verified and smoke-tested: archiving takes
 * no build slot (and cannot fail the target), so the next build starts while this one is packed.
 */
export async function runTargetStep(
  job: BuildJob,
  step: StepContext,
  releaseSlot: () => void = () => undefined,
): Promise<TargetResult> {
  const { options, ctx } = step;
  const clock = (): number => Math.round(Number(process.hrtime.bigint() - step.phaseStarted) / 1e7) / 100;
  const started = clock();
  const reused = step.reused?.get(path.relative(options.outputDir, job.output));
  const { outcome, bytes } =
    reused === undefined
      ? await buildTarget(job, step.cwd, ctx.baseDir, options.buildTimeoutMs)
      : await placeReused(job, reused);
  const built = clock();
  const verify = bytes !== null && options.verify ? await verifyBuilt(job, bytes, options) : null;
  if (verify) verify.notes.push(...stampNotes(verify.buildinfo, step.stamp));
  const verified = verify === null ? null : clock();
  const smoke =
    outcome.ok && verify?.ok !== false && options.smokeTest !== null
      ? await smokeTest({
          binary: job.output,
          goos: job.target.goos,
          goarch: job.target.goarch,
          args: options.smokeTest,
          host: step.host,
          verify,
          env: ctx.env,
          timeoutMs: step.smokeTimeoutMs,
          isolateNetwork: step.isolateNetwork,
        })
      : null;
  // Signed after every check of the file as built, before anything archives, hashes or ships it.
  // darwin slices are signed here too, so `universal` assembles signed slices.
  const signer =
    job.target.goos === 'windows'
      ? step.windowsSigner
      : job.target.goos === 'darwin'
        ? step.macosSigner
        : null;
  const signed =
    bytes !== null &&
    signer !== null &&
    outcome.ok &&
    verify?.ok !== false &&
    (smoke === null || smokePassed(smoke))
      ? await signer.sign(job, bytes, options)
      : null;
  const shipped = signed?.bytes ?? bytes;
  const verdict = signed?.verify ?? verify;
  // A failed target keeps its slot until its result is in, so fail-fast sees it before the next start.
  const passed = outcome.ok && verdict?.ok !== false && (smoke === null || smokePassed(smoke));
  if (passed) releaseSlot();
  // Nothing under the name a good binary would have: a step shipping output-dir/* must not find it.
  const file =
    bytes === null ? null : passed ? job.output : await setAside(job.output, options.outputDir, ctx.log);
  const kind = archiveKind(options.archive, job.target.goos);
  const archive =
    shipped !== null && passed && kind !== null
      ? await archiveBinary(
          job.output,
          shipped,
          `${job.name}${extensionOf(job)}`,
          extensionOf(job),
          kind,
          step.extraFiles,
          step.mtime,
        )
      : null;
  const result = {
    outcome,
    verify: verdict,
    signed: signed?.record ?? null,
    smoke,
    archive,
    file,
    timeline: { started, built, verified, done: clock() },
    bytes: options.universal && isUniversalSlice(job) ? shipped : null,
    unsigned: options.reproducible === 'check' && signed !== null ? bytes : null,
  };
  reportResult(result, ctx, options.smokeTest ?? []);
  return result;
}

export function describeSmoke(smoke: SmokeRecord, args: readonly string[]): string {
  const how = `the smoke test (${[...args].join(' ') || 'no arguments'}) under ${smoke.via ?? 'no runner'}`;
  const first = smoke.output[0] ? `: ${smoke.output[0]}` : '';
  if (smoke.timedOut) return `${how} did not finish within its time limit${first}`;
  if (smoke.exitCode === null) return `${how} could not run: ${smoke.reason ?? 'unknown'}`;
  return `${how} exited with status ${smoke.exitCode}${first}`;
}

function reportResult(
  { outcome, verify, signed, smoke, file }: TargetResult,
  ctx: EngineContext,
  smokeArgs: readonly string[],
): void {
  const { job } = outcome;
  const relative = path.relative(ctx.baseDir, job.output);
  const pinned = Object.entries(pinnedRecord(job.pinned))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const lines = [`env: ${pinned}`];
  if (outcome.ok) lines.push(`wrote ${relative} (${outcome.size} bytes, sha256 ${outcome.sha256})`);
  if (verify)
    lines.push(
      verify.ok
        ? `verified: ${describeVerdict(verify)}`
        : `verification failed: ${verify.problems.join(' ')}`,
    );
  if (verify) lines.push(...verify.notes.map((n) => `note: ${n}`));
  if (signed) lines.push(`signed: ${describeSigning(signed)}`);
  if (smoke) {
    lines.push(
      smoke.ran
        ? `smoke test via ${smoke.via}: exit ${smoke.exitCode ?? '–'}${smoke.timedOut ? ' (timed out)' : ''} in ${smoke.seconds ?? '–'} s`
        : `smoke test skipped: ${smoke.reason ?? ''}`,
      ...smoke.output.map((l) => `  | ${l}`),
    );
    if (!smokePassed(smoke)) {
      ctx.log.error(`${job.target.id}: ${describeSmoke(smoke, smokeArgs)}`, {
        title: `smoke test ${job.target.id}`,
      });
    }
  }
  if (outcome.output) lines.push(...outcome.output.split('\n'));
  const time = outcome.seconds === null ? '' : ` in ${outcome.seconds.toFixed(1)} s`;
  const ok = outcome.ok && verify?.ok !== false && (smoke === null || smokePassed(smoke));
  if (!ok && file !== null)
    lines.push(`kept for inspection as ${path.relative(ctx.baseDir, file)}, not shipped`);
  ctx.log.group(`${ok ? '✓' : '✗'} ${job.target.id} (${job.package})${time}`, lines);
  if (!outcome.ok && outcome.diagnostics.length === 0) {
    ctx.log.error(`${job.target.id}: ${outcome.error ?? 'build failed'}`, {
      title: `go build ${job.target.id}`,
    });
  }
  if (verify && !verify.ok) {
    const kept = file === null ? '' : ` (kept as ${path.relative(ctx.baseDir, file)}, not shipped)`;
    ctx.log.error(`${relative} is not a valid ${job.target.id} binary: ${verify.problems.join(' ')}${kept}`, {
      title: `verify ${job.target.id}`,
    });
  }
}

function describeVerdict(v: VerifyResult): string {
  const parts = [v.format, v.bits === null ? null : `${v.bits}-bit`, v.endian, v.machine, v.os, v.linkage];
  return parts.filter((p) => p !== null).join(' ');
}

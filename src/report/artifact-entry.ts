// A target's line in the manifest: its status, files, hashes, timings and verdicts.
import path from 'node:path';
import { pinnedRecord } from '../compile/env.js';
import type { BuildJob } from '../compile/plan.js';
import { describeSmoke } from '../compile/target-step.js';
import type { EngineContext, TargetResult } from '../pipeline/context.js';
import { smokePassed } from '../smoke/index.js';
import type { ArtifactEntry } from './manifest.js';

export function relativeToBase(file: string, ctx: EngineContext): string {
  return path.relative(ctx.baseDir, file).split(path.sep).join('/');
}

/** Every file that was built and passed: binaries and archives, for checksums.txt. */
export function checksummed(
  artifacts: readonly ArtifactEntry[],
  ctx: EngineContext,
): { path: string; sha256: string }[] {
  const files: { path: string; sha256: string }[] = [];
  for (const a of artifacts) {
    if (a.status !== 'ok') continue;
    if (a.path !== null && a.sha256 !== null)
      files.push({ path: path.resolve(ctx.baseDir, a.path), sha256: a.sha256 });
    if (a.archive !== null && a.archiveSha256 !== null) {
      files.push({ path: path.resolve(ctx.baseDir, a.archive), sha256: a.archiveSha256 });
    }
  }
  return files;
}

export function artifactEntry(
  job: BuildJob,
  result: TargetResult | null,
  ctx: EngineContext,
  firstFailure: string | undefined,
  smokeArgs: readonly string[],
): ArtifactEntry {
  const outcome = result?.outcome ?? null;
  const verify = result?.verify ?? null;
  const built = outcome?.ok === true;
  const smoke = result?.smoke ?? null;
  const signing = result?.signed ?? undefined;
  const smokeFailed = smoke !== null && !smokePassed(smoke);
  const status =
    outcome === null
      ? 'skipped'
      : !built
        ? 'build-failed'
        : verify?.ok === false
          ? 'verify-failed'
          : smokeFailed
            ? 'smoke-failed'
            : 'ok';
  return {
    name: job.name,
    package: job.package,
    target: job.target.id,
    ...(job.aliases.length > 0 ? { aliases: [...job.aliases] } : {}),
    goos: job.target.goos,
    goarch: job.target.goarch,
    env: pinnedRecord(job.pinned),
    status,
    // A failed target's file lies apart, in output-dir/failed/, for inspection only.
    path: built && result?.file ? relativeToBase(result.file, ctx) : null,
    archive: result?.archive ? relativeToBase(result.archive.path, ctx) : null,
    archiveSha256: result?.archive?.sha256 ?? null,
    // The file as shipped: signed, when this run signed it (the unsigned hash is in `signing`).
    size: signing?.size ?? outcome?.size ?? null,
    sha256: signing?.sha256 ?? outcome?.sha256 ?? null,
    buildSeconds: outcome?.seconds == null ? null : Math.round(outcome.seconds * 100) / 100,
    timeline: result?.timeline ?? null,
    verify,
    smoke,
    ...(signing ? { signing } : {}),
    error:
      outcome === null
        ? `not built: fail-fast stopped the matrix after ${firstFailure ?? 'a target'} failed`
        : (outcome.error ??
          (verify && !verify.ok
            ? verify.problems.join(' ')
            : smoke && smokeFailed
              ? describeSmoke(smoke, smokeArgs)
              : null)),
  };
}

import { createHash } from 'node:crypto';
import type { SourceMetadata } from '../compile/metadata.js';
import type { BuildJob } from '../compile/plan.js';
import { outputPath } from '../compile/plan.js';
import type { EngineContext, TargetResult } from '../pipeline/context.js';
import type { Options } from '../options/options.js';
import { relativeToBase } from '../report/artifact-entry.js';
import type { ArtifactEntry } from '../report/manifest.js';
import { BufferSource, verifySource } from '../verify/index.js';
import type { ArchiveEntry } from './archive.js';
import { archiveKind } from './archive.js';
import { archiveBinary } from './index.js';
import { setAside } from './output-dir.js';
import { writeUniversal } from './universal.js';

export interface UniversalInputs {
  readonly jobs: readonly BuildJob[];
  /** The manifest entries of `jobs`, index for index. */
  readonly artifacts: readonly ArtifactEntry[];
  /** The step results of `jobs`, index for index: the darwin slices' bytes are kept there. */
  readonly results: readonly (TargetResult | null)[];
  readonly options: Options;
  readonly metadata: SourceMetadata;
  readonly extraFiles: readonly ArchiveEntry[];
  readonly mtime: Date;
  readonly ctx: EngineContext;
}

/**
 * `universal: true`: for every package whose darwin/amd64 and darwin/arm64 builds passed,
 * a fat Mach-O `{name}-darwin-universal` holding both, verified slice by slice, archived
 * like any other binary. Go will not write one itself (golang/go#40698).
 */
export async function universalBinaries(inputs: UniversalInputs): Promise<ArtifactEntry[]> {
  const { jobs, artifacts, results, options, ctx } = inputs;
  const entries: ArtifactEntry[] = [];
  for (const pkg of options.packages) {
    const slice = (goarch: string): Slice | undefined => {
      const candidates = jobs
        .map((job, i) => ({ job, status: artifacts[i]?.status, bytes: results[i]?.bytes ?? null }))
        .filter(
          (c): c is Slice & { status: 'ok' } =>
            c.job.package === pkg &&
            c.job.target.goos === 'darwin' &&
            c.job.target.goarch === goarch &&
            c.status === 'ok' &&
            c.bytes !== null,
        );
      return candidates.find(({ job }) => job.target.variant === null) ?? candidates[0];
    };
    const amd64 = slice('amd64');
    const arm64 = slice('arm64');
    if (!amd64 || !arm64) {
      ctx.log.warning(
        `universal: no universal binary for ${pkg}: it needs darwin/amd64 and darwin/arm64 both built and verified in this run.`,
      );
      continue;
    }
    entries.push(await universalEntry(inputs, amd64, arm64));
  }
  return entries;
}

interface Slice {
  readonly job: BuildJob;
  readonly bytes: Buffer;
}

async function universalEntry(
  inputs: UniversalInputs,
  amd64Slice: Slice,
  arm64Slice: Slice,
): Promise<ArtifactEntry> {
  const amd64 = amd64Slice.job;
  const arm64 = arm64Slice.job;
  const { options, metadata, extraFiles, mtime, ctx } = inputs;
  const target = 'darwin/universal';
  const dest = outputPath(
    options,
    {
      name: amd64.name,
      goos: 'darwin',
      goarch: 'universal',
      variant: '',
      version: metadata.version,
      ext: '',
    },
    target,
  );
  // Composed from the slices' bytes kept by their target steps; verified, hashed and archived
  // from memory, so no binary is read twice.
  const { slices, bytes } = await writeUniversal(dest, [
    { file: amd64.output, bytes: amd64Slice.bytes },
    { file: arm64.output, bytes: arm64Slice.bytes },
  ]);
  const verify = await verifySource(new BufferSource(bytes), {
    goos: 'darwin',
    goarch: 'universal',
    variant: null,
    cgoEnabled: options.cgoEnabled,
    linkage: options.linkage,
    maxGlibc: options.maxGlibc,
    minMacos: options.minMacos,
  });
  const kind = archiveKind(options.archive, 'darwin');
  const archive =
    verify.ok && kind !== null
      ? await archiveBinary(dest, bytes, amd64.name, '', kind, extraFiles, mtime)
      : null;
  const relative = (file: string): string => relativeToBase(file, ctx);
  // Like a failed target's binary: kept apart, never under the name that ships.
  const file = verify.ok ? dest : await setAside(dest, options.outputDir, ctx.log);
  ctx.log.group(`${verify.ok ? '✓' : '✗'} ${target} (${amd64.package})`, [
    `wrote ${relative(dest)} from ${relative(amd64.output)} and ${relative(arm64.output)}`,
    ...slices.map(
      (s) =>
        `slice cputype 0x${s.cputype.toString(16)} at offset ${s.offset} (align 2^${s.align}), ${s.size} bytes`,
    ),
    ...(verify.ok ? [] : [`verification failed: ${verify.problems.join(' ')}`]),
  ]);
  if (!verify.ok)
    ctx.log.error(`${relative(dest)} is not a valid universal binary: ${verify.problems.join(' ')}`);
  return {
    name: amd64.name,
    package: amd64.package,
    target,
    goos: 'darwin',
    goarch: 'universal',
    env: { GOOS: 'darwin', CGO_ENABLED: options.cgoEnabled },
    status: verify.ok ? 'ok' : 'verify-failed',
    path: file === null ? null : relative(file),
    archive: archive ? relative(archive.path) : null,
    archiveSha256: archive?.sha256 ?? null,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    buildSeconds: null,
    timeline: null,
    verify,
    smoke: null,
    error: verify.ok ? null : verify.problems.join(' '),
  };
}

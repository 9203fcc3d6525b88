// The verify stage, run per target as soon as it is built: is the file the target it is named after?
import type { BuildJob } from '../compile/plan.js';
import type { Options } from '../options/options.js';
import type { VerifyRequest, VerifyResult } from './index.js';
import { BufferSource, failedVerdict, verifySource } from './index.js';

/** The inputs that bound what a file may need: linkage, glibc and the oldest macOS and Windows. */
export type VerifyPolicy = Pick<Options, 'linkage' | 'maxGlibc' | 'minMacos' | 'minWindows'>;

/** What a built file must be: its target, with the variant that was pinned for it and the policy. */
function verifyRequest(job: BuildJob, options: VerifyPolicy): VerifyRequest {
  const variant = job.pinned.variant;
  return {
    goos: job.pinned.GOOS,
    goarch: job.pinned.GOARCH,
    // An empty pinned value (GOWASM's default) is not recorded by Go, so there is nothing to compare.
    variant: variant && variant.value !== '' ? { name: variant.variable, value: variant.value } : null,
    cgoEnabled: job.pinned.CGO_ENABLED,
    linkage: options.linkage,
    maxGlibc: options.maxGlibc,
    fips140: job.pinned.fips140,
    minMacos: options.minMacos,
    minWindows: options.minWindows,
  };
}

/** Verifies a freshly built file from the bytes already read for its hash; an internal error is a failed verdict, not a crash. */
export async function verifyBuilt(
  job: BuildJob,
  bytes: Buffer,
  options: VerifyPolicy,
): Promise<VerifyResult> {
  try {
    return await verifySource(new BufferSource(bytes), verifyRequest(job, options));
  } catch (err) {
    return failedVerdict(`the built file could not be verified: ${(err as Error).message}`);
  }
}

// The checksums stage: checksums.txt over every file that ships, SBOMs included.
import type { Checksummed, Described } from '../pipeline/context.js';
import { checksummed } from '../report/artifact-entry.js';
import { writeChecksums } from './index.js';

export async function checksumsStage(described: Described): Promise<Checksummed> {
  const { options, artifacts, sboms, ctx } = described;
  const checksumsPath =
    options.checksums === 'sha256'
      ? await writeChecksums(options.outputDir, [...checksummed(artifacts, ctx), ...sboms])
      : null;
  return { ...described, checksumsPath };
}

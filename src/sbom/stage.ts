// The SBOM stage: one SBOM per binary that passed, recorded in its manifest entry.
import path from 'node:path';
import type { Described, Reproduced } from '../pipeline/context.js';
import { sha256File } from '../hash.js';
import { relativeToBase } from '../report/artifact-entry.js';
import { TOOL } from '../version.js';
import { writeSboms } from './index.js';

/**
 * An SBOM beside every binary that passed, from the build info in the file itself; recorded in
 * its manifest entry. The SBOM files go on with their hashes, for checksums.txt.
 */
export async function sbomStage(packaged: Reproduced): Promise<Described> {
  const { artifacts, options, ctx } = packaged;
  if (options.sbom.length === 0) return { ...packaged, sboms: [] };
  const written: { path: string; sha256: string }[] = [];
  for (const a of artifacts) {
    if (a.status !== 'ok' || a.path === null || a.sha256 === null) continue;
    const files = await writeSboms(
      {
        file: path.resolve(ctx.baseDir, a.path),
        target: a.target,
        sha256: a.sha256,
        ...(a.vulncheck?.scanned ? { vulncheck: a.vulncheck } : {}),
      },
      options.sbom,
      { tool: TOOL, timestamp: new Date(packaged.metadata.date) },
    );
    a.sboms = files.map((f) => relativeToBase(f, ctx));
    for (const file of files) written.push({ path: file, sha256: await sha256File(file) });
  }
  ctx.log.info(`Wrote ${written.length} SBOM(s) (${options.sbom.join(', ')}), one per binary.`);
  return { ...packaged, sboms: written };
}

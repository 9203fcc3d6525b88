// The build info an SBOM describes, read by the verifier's own parser: one entry per executable in
// the file (a universal binary has one per slice), each with the main module and its settings.
import type { BuildInfoSummary } from '../verify/index.js';
import { readBuildInfos } from '../verify/index.js';

const NO_SBOM = "set 'sbom' to 'none' to write no SBOM";

export interface GoBuild extends BuildInfoSummary {
  module: string;
}

/** Throws an Error naming `file` when any executable in it records no build info or no main module. */
export async function readGoBuilds(file: string): Promise<GoBuild[]> {
  let infos: (BuildInfoSummary | null)[];
  try {
    infos = await readBuildInfos(file);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(
      `${file}: no readable Go build info: ${why}; an SBOM describes a Go executable (${NO_SBOM})`,
      {
        cause: e,
      },
    );
  }
  const builds: GoBuild[] = [];
  for (const [i, info] of infos.entries()) {
    const where = infos.length > 1 ? `${file} (slice ${i + 1} of ${infos.length})` : file;
    if (!info)
      throw new Error(`${where} carries no Go build info; an SBOM describes a Go executable (${NO_SBOM})`);
    const { module } = info;
    // A GOPATH-mode build records no module: there is nothing to describe the components of.
    if (!module) {
      throw new Error(
        `${where} records no main module in its Go build info (a GOPATH-mode build): build it in module mode, with a go.mod (or ${NO_SBOM})`,
      );
    }
    builds.push({ ...info, module });
  }
  const modules = new Set(builds.map((b) => `${b.module} ${b.moduleVersion}`));
  if (modules.size > 1) {
    throw new Error(
      `${file}: its slices were built from different main modules (${[...modules].join(', ')}), and one SBOM describes one; build every slice from the same module (or ${NO_SBOM})`,
    );
  }
  return builds;
}

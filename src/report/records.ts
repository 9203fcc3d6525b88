// Manifest fields the engine records from the run itself: the attempt, the Go that built, the workspace.
import type { EngineContext } from '../pipeline/context.js';
import type { GoModule } from '../go/module.js';
import type { Logger } from '../log.js';
import { relativeToBase } from './artifact-entry.js';
import type { ArtifactEntry, WorkspaceRecord } from './manifest.js';

export function runAttempt(env: Readonly<Record<string, string | undefined>>): number | null {
  const text = env.GITHUB_RUN_ATTEMPT ?? '';
  return /^[1-9]\d*$/.test(text) ? Number(text) : null;
}

/**
 * The Go that built the binaries, from their build info: with GOTOOLCHAIN switching, the go on
 * PATH is not the one that builds. A version other than the queries reported is a warning.
 */
export function builtWith(artifacts: readonly ArtifactEntry[], queried: string, log: Logger): string {
  const versions = new Set(artifacts.flatMap((a) => a.verify?.buildinfo?.goVersion ?? []));
  const [built] = versions;
  if (built === undefined) return queried;
  if (versions.size > 1 || built !== queried) {
    log.warning(
      `The binaries' build info names ${[...versions].join(', ')}, but go version said ${queried} before the builds; the manifest records ${built}.`,
    );
  }
  return built;
}

/** go.work and its modules, relative to the workspace; null in module mode. */
export function workspaceRecord(module: GoModule, ctx: EngineContext): WorkspaceRecord | null {
  if (module.workspace === null) return null;
  return {
    file: relativeToBase(module.workspace.file, ctx),
    modules: module.workspace.modules.map((m) => ({ path: m.path, dir: relativeToBase(m.dir, ctx) || '.' })),
  };
}

// What prepare and plan ask Go with: the toolchain's targets, and the context a `package`
// pattern is expanded in.
import type { ExpandContext } from '../go/packages.js';
import type { Toolchain } from '../go/toolchain.js';
import type { Options } from '../options/options.js';
import type { RequestedTarget, TargetUniverse } from '../targets/expand.js';

export function universeOf(toolchain: Toolchain): TargetUniverse {
  return {
    dist: toolchain.dist,
    broken: toolchain.broken,
    goVersion: toolchain.version,
    release: toolchain.release,
  };
}

export function expandContext(
  options: Options,
  env: Record<string, string>,
  targets: readonly RequestedTarget[],
): ExpandContext {
  return {
    workingDirectory: options.workingDirectory,
    env,
    platforms: targets,
    tags: options.tags,
    cgoEnabled: options.cgoEnabled,
  };
}

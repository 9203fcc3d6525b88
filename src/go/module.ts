import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../options/errors.js';
import { goJson } from './command.js';

export interface GoModule {
  /** Module path from go.mod, e.g. `example.com/app`. */
  readonly path: string;
  /** Directory that holds go.mod. */
  readonly dir: string;
  /** The `go` directive, e.g. `1.22` or `1.22.3`; null when go.mod has none. */
  readonly goDirective: string | null;
  /** The `toolchain` line, e.g. `go1.27.3`; null when go.mod has none. */
  readonly toolchainDirective: string | null;
  readonly hasDependencies: boolean;
  /** The builds read dependencies from vendor/: they need no download and no network. */
  readonly vendored: boolean;
}

interface GoModEditJson {
  Module?: { Path?: string };
  Go?: string;
  Toolchain?: string;
  Require?: unknown[] | null;
}

/**
 * Reads the module that contains `dir`, asking Go (`go env GOMOD GOFLAGS`, `go mod edit -json`).
 * `buildFlags` are the flags every `go build` gets: a -mod among them decides vendoring.
 */
export async function loadModule(
  dir: string,
  env: Record<string, string>,
  buildFlags: readonly string[] = [],
): Promise<GoModule> {
  const { GOMOD: gomod, GOFLAGS: goflags } = await goJson<{ GOMOD?: string; GOFLAGS?: string }>(
    ['env', '-json', 'GOMOD', 'GOFLAGS'],
    dir,
    env,
  );
  if (!gomod || gomod === '/dev/null' || gomod === 'NUL') {
    throw new InputError(
      'working-directory',
      dir,
      "It is not inside a Go module (no go.mod in it or above it); set it to the module's directory.",
    );
  }
  const moduleDir = path.dirname(gomod);
  const edit = await goJson<GoModEditJson>(['mod', 'edit', '-json'], moduleDir, env);
  const goDirective = edit.Go ?? null;
  const mode = modFlag(buildFlags) ?? modFlag((goflags ?? '').split(/\s+/));
  return {
    path: edit.Module?.Path ?? '',
    dir: moduleDir,
    goDirective,
    toolchainDirective: edit.Toolchain ?? null,
    hasDependencies: (edit.Require ?? []).length > 0,
    vendored: existsSync(path.join(moduleDir, 'vendor', 'modules.txt')) && usesVendor(mode, goDirective),
  };
}

/** The value of the last `-mod=x` (or `--mod=x`): the one cmd/go obeys. Both GOFLAGS and the flags input attach values with '='. */
function modFlag(flags: readonly string[]): string | undefined {
  return flags.map((flag) => /^--?mod=(.*)$/.exec(flag)?.[1]).findLast((value) => value !== undefined);
}

/**
 * Whether a module with vendor/modules.txt builds from it (cmd/go/internal/modload): as -mod says
 * when set (-mod=mod or -mod=readonly download instead, once per build), otherwise from go 1.14
 * on. A go.mod without a go line counts as go 1.16.
 */
function usesVendor(mode: string | undefined, goDirective: string | null): boolean {
  if (mode !== undefined) return mode === 'vendor';
  return !directiveNewerThan('1.14', goDirective ?? '1.16');
}

/** True when go.mod asks for a newer Go than the toolchain (compares major.minor[.patch]). */
export function directiveNewerThan(directive: string, toolchainVersion: string): boolean {
  const parse = (v: string): number[] =>
    (/(\d+)\.(\d+)(?:\.(\d+))?/.exec(v) ?? []).slice(1).map((n) => Number(n ?? 0));
  const want = parse(directive);
  const have = parse(toolchainVersion);
  for (let i = 0; i < 3; i++) {
    const w = want[i] ?? 0;
    const h = have[i] ?? 0;
    if (w !== h) return w > h;
  }
  return false;
}

/** A directory as Go sees it, through symlinks (a checkout reached through a link is the module itself). */
export function realDirectory(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../options/errors.js';
import { goJson, goQuery } from './command.js';

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
  /** The go.work the module builds in (`go env GOWORK`); null in module mode (none, or GOWORK=off). */
  readonly workspace: Workspace | null;
}

/** A go.work workspace: every module it uses is a main module of the build. */
export interface Workspace {
  /** Absolute path of go.work. */
  readonly file: string;
  /** Its `go` and `toolchain` lines: in workspace mode they, not go.mod's, decide which Go builds. */
  readonly goDirective: string | null;
  readonly toolchainDirective: string | null;
  /** The modules of its `use` lines, as `go list -m` reports them. */
  readonly modules: readonly { readonly path: string; readonly dir: string }[];
}

interface GoWorkEditJson {
  Go?: string;
  Toolchain?: string;
}

interface GoModEditJson {
  Module?: { Path?: string };
  Go?: string;
  Toolchain?: string;
  Require?: unknown[] | null;
}

/**
 * Reads the module that contains `dir`, asking Go (`go env GOMOD GOWORK GOFLAGS`, `go mod edit
 * -json`). `buildFlags` are the flags every `go build` gets: a -mod among them decides vendoring.
 * In a workspace whose root holds no go.mod, the module is the one of the first of `packages`.
 */
export async function loadModule(
  dir: string,
  env: Record<string, string>,
  buildFlags: readonly string[] = [],
  packages: readonly string[] = ['.'],
): Promise<GoModule> {
  const reported = await goJson<{ GOMOD?: string; GOWORK?: string; GOFLAGS?: string }>(
    ['env', '-json', 'GOMOD', 'GOWORK', 'GOFLAGS'],
    dir,
    env,
  );
  const workspace = reported.GOWORK ? await loadWorkspace(reported.GOWORK, dir, env) : null;
  const gomod = inModule(reported.GOMOD)
    ? reported.GOMOD
    : workspace && (await packagesGoMod(packages, dir, env, workspace));
  if (!gomod) {
    throw new InputError(
      'working-directory',
      dir,
      workspace
        ? `It is the root of the workspace ${workspace.file}, and no 'package' names a package of its modules (${workspace.modules.map((m) => m.path).join(', ')}); name one, e.g. ./${path.relative(path.dirname(workspace.file), workspace.modules[0]?.dir ?? dir) || 'app'}, or set working-directory to a module's directory.`
        : "It is not inside a Go module (no go.mod in it or above it); set it to the module's directory.",
    );
  }
  const moduleDir = path.dirname(gomod);
  const edit = await goJson<GoModEditJson>(['mod', 'edit', '-json'], moduleDir, env);
  const goDirective = edit.Go ?? null;
  const mode = modFlag(buildFlags) ?? modFlag((reported.GOFLAGS ?? '').split(/\s+/));
  // In workspace mode Go reads vendor/ beside go.work (`go work vendor`), never a module's own.
  const vendorRoot = workspace ? path.dirname(workspace.file) : moduleDir;
  const vendorGo = workspace ? workspace.goDirective : goDirective;
  return {
    path: edit.Module?.Path ?? '',
    dir: moduleDir,
    goDirective,
    toolchainDirective: edit.Toolchain ?? null,
    hasDependencies: (edit.Require ?? []).length > 0,
    vendored:
      existsSync(path.join(vendorRoot, 'vendor', 'modules.txt')) &&
      (workspace ? usesWorkspaceVendor(mode, vendorGo) : usesVendor(mode, vendorGo)),
    workspace,
  };
}

const inModule = (gomod: string | undefined): gomod is string =>
  Boolean(gomod) && gomod !== '/dev/null' && gomod !== 'NUL';

/** `go env GOWORK` names the go.work in use ('' or 'off' when none): its lines, and its modules from `go list -m`. */
async function loadWorkspace(
  gowork: string,
  dir: string,
  env: Record<string, string>,
): Promise<Workspace | null> {
  if (gowork === 'off') return null;
  const [edit, listed] = await Promise.all([
    goJson<GoWorkEditJson>(['work', 'edit', '-json', gowork], dir, env),
    // Main modules only: no module graph, so nothing is downloaded.
    goQuery(['list', '-m', '-f', '{{.Path}}\t{{.Dir}}'], dir, env),
  ]);
  const modules = listed
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [modulePath = '', moduleDir = ''] = line.split('\t');
      return { path: modulePath, dir: moduleDir };
    });
  return { file: gowork, goDirective: edit.Go ?? null, toolchainDirective: edit.Toolchain ?? null, modules };
}

/** The go.mod of the workspace module that holds the first package found (`go list -find`: no dependencies loaded). */
async function packagesGoMod(
  packages: readonly string[],
  dir: string,
  env: Record<string, string>,
  workspace: Workspace,
): Promise<string | null> {
  const listed = await goQuery(
    ['list', '-e', '-find', '-f', '{{with .Module}}{{.Dir}}{{end}}', '--', ...packages],
    dir,
    env,
  ).catch(() => '');
  const moduleDir = listed.split('\n').find((line) => workspace.modules.some((m) => m.dir === line));
  return moduleDir ? path.join(moduleDir, 'go.mod') : null;
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

/**
 * Whether a workspace builds from vendor/ beside go.work (cmd/go/internal/modload): as -mod says
 * when set, otherwise when go.work says go 1.22 or later (`go work vendor` came with 1.22).
 */
function usesWorkspaceVendor(mode: string | undefined, goDirective: string | null): boolean {
  if (mode !== undefined) return mode === 'vendor';
  return goDirective !== null && !directiveNewerThan('1.22', goDirective);
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

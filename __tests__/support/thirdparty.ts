// Real third-party programs at pinned versions, fetched through the Go module proxy, and the
// facts about their dependencies that their binaries must record.
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './engine.js';
import type { Toolchain } from './toolchains.js';
import { goEnv, SUITE_CACHE_DIR } from './toolchains.js';

const execFileAsync = promisify(execFile);

/**
 * One module cache for every test that fetches real modules, kept across runs like the suite's
 * GOCACHE: only the first run of the suite on a machine downloads anything.
 */
export const SUITE_GOMODCACHE = path.join(SUITE_CACHE_DIR, 'gomodcache');
/**
 * The suite's module cache served as a module proxy (its cache/download is laid out like one):
 * a fresh runner "downloads" from it without the network once the suite has the modules.
 */
export const SUITE_PROXY = `file://${path.join(SUITE_GOMODCACHE, 'cache', 'download')}`;

export interface Program {
  readonly name: string;
  readonly module: string;
  /** Pinned: the tests compare the binaries with this version's go.sum. */
  readonly version: string;
  /** The main package, relative to the module root. */
  readonly package: string;
}

/**
 * The small one: 11 required modules (21 in `go list -m all`), 6 or 7 of them in a binary
 * (tcell only on Windows), `go 1.20`.
 */
export const FZF: Program = {
  name: 'fzf',
  module: 'github.com/junegunn/fzf',
  version: 'v0.65.2',
  package: '.',
};

/**
 * The big one: 70 modules in `go list -m all`, 48 in the binary, 265 packages (124 outside the
 * standard library), `go 1.23.0` with `toolchain go1.24.1`; about 40 CPU-seconds per target cold.
 */
export const GUM: Program = {
  name: 'gum',
  module: 'github.com/charmbracelet/gum',
  version: 'v0.17.0',
  package: '.',
};

async function go(tc: Toolchain, args: string[], cwd: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await execFileAsync(tc.go, args, {
    cwd,
    env: goEnv(tc, env),
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Module files in the cache are read-only; the copy must be writable (and removable). */
function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, name);
    chmodSync(file, statSync(file).isDirectory() ? 0o755 : 0o644);
  }
}

/**
 * The program's source at its pinned version, as the proxy serves it (`go mod download -json`
 * gives its directory in the module cache), copied to a fresh writable directory.
 */
export async function checkOut(
  tc: Toolchain,
  program: Program,
  gomodcache = SUITE_GOMODCACHE,
): Promise<string> {
  const outside = tempDir('nomodule');
  const info = JSON.parse(
    await go(tc, ['mod', 'download', '-json', `${program.module}@${program.version}`], outside, {
      GOMODCACHE: gomodcache,
    }),
  ) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`${program.module}@${program.version}: ${info.Error ?? 'no Dir'}`);
  const dir = path.join(tempDir(program.name), program.name);
  cpSync(info.Dir, dir, { recursive: true });
  makeWritable(dir);
  return dir;
}

/** Puts the dependencies of the module in `dir` into the suite's module cache (and so its proxy). */
export async function downloadDependencies(tc: Toolchain, dir: string): Promise<void> {
  await go(tc, ['mod', 'download'], dir, { GOMODCACHE: SUITE_GOMODCACHE });
}

export interface Dependency {
  path: string;
  version: string;
  sum: string | null;
}

export interface ModuleFacts {
  /** `go list -m all`: the version the build list selects for every module path. */
  selected: ReadonlyMap<string, string>;
  /** go.sum: the `h1:` hash of every module version's content, by `path version`. */
  sums: ReadonlyMap<string, string>;
}

export async function moduleFacts(
  tc: Toolchain,
  dir: string,
  env: Record<string, string>,
): Promise<ModuleFacts> {
  const listed = await go(tc, ['list', '-m', '-f', '{{.Path}} {{.Version}}', 'all'], dir, env);
  const selected = new Map<string, string>();
  for (const line of listed.trim().split('\n')) {
    const [modPath, version] = line.split(' ');
    if (modPath && version) selected.set(modPath, version);
  }
  const sums = new Map<string, string>();
  for (const line of readFileSync(path.join(dir, 'go.sum'), 'utf8').split('\n')) {
    const [modPath, version, hash] = line.split(' ');
    if (modPath && version && hash && !version.endsWith('/go.mod')) sums.set(`${modPath} ${version}`, hash);
  }
  return { selected, sums };
}

/**
 * The modules that provide the packages one target links, main module aside: what its build
 * info must list (`go list -deps` with the target's pinned variables).
 */
export async function linkedModules(
  tc: Toolchain,
  dir: string,
  pkg: string,
  env: Record<string, string>,
): Promise<string[]> {
  const out = await go(
    tc,
    ['list', '-deps', '-f', '{{if and .Module (not .Module.Main)}}{{.Module.Path}}{{end}}', pkg],
    dir,
    env,
  );
  return [...new Set(out.split('\n').filter((l) => l !== ''))].sort();
}

/** The dependencies a binary records, read by Go itself (`go version -m -json`, Go 1.25+). */
export async function recordedDependencies(tc: Toolchain, file: string): Promise<Dependency[]> {
  const info = JSON.parse(await go(tc, ['version', '-m', '-json', file], path.dirname(file), {})) as {
    Deps?: { Path: string; Version: string; Sum?: string }[];
  };
  return (info.Deps ?? []).map((d) => ({ path: d.Path, version: d.Version, sum: d.Sum ?? null }));
}

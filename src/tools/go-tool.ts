// Go programs the pipeline runs (govulncheck, …): built from the Go module proxy at a pinned
// version with the job's Go, into a per-user tool cache, and reused by every later run. They
// are no dependency of the npm package: the proxy and the job's Go are all they need.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeFailure, run } from '../exec.js';
import { makeDirectories } from '../make-dirs.js';
import { PINNED_VARIABLES } from '../options/options.js';
import { readBuildInfos } from '../verify/index.js';

/** A command of a Go module at one version: `go install <pkg>@<version>`. */
export interface GoToolSpec {
  /** The main package, e.g. golang.org/x/vuln/cmd/govulncheck. */
  readonly pkg: string;
  /** A module version, e.g. v1.9.0. */
  readonly version: string;
}

export interface GoToolRequest {
  readonly tool: GoToolSpec;
  /** The job's Go (`go1.26.8`), which builds the tool: part of the cache key. */
  readonly goVersion: string;
  readonly hostGoos: string;
  readonly hostGoarch: string;
  /** The job's environment for `go` (GOPROXY, GOMODCACHE, GOCACHE … as the builds get them). */
  readonly env: Readonly<Record<string, string>>;
}

/** The tool could not be built: the sentence says why, in Go's words. */
export class GoToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoToolError';
  }
}

const INSTALL_TIMEOUT_MS = 10 * 60_000;

/**
 * RUNNER_TOOL_CACHE (hosted runners keep tools there) when set, else the user cache directory
 * as Go's os.UserCacheDir finds it.
 */
export function toolCacheRoot(env: Readonly<Record<string, string | undefined>>): string {
  if (env.RUNNER_TOOL_CACHE) return path.join(env.RUNNER_TOOL_CACHE, 'go-build-matrix');
  const home = env.HOME ?? env.USERPROFILE ?? os.homedir();
  const userCache =
    process.platform === 'win32'
      ? (env.LocalAppData ?? env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'))
      : process.platform === 'darwin'
        ? path.join(home, 'Library', 'Caches')
        : (env.XDG_CACHE_HOME ?? path.join(home, '.cache'));
  return path.join(userCache, 'go-build-matrix', 'tools');
}

/** Where the tool lives: one file per tool, version, building Go and host. */
export function toolPath(req: GoToolRequest): string {
  const name = path.posix.basename(req.tool.pkg);
  const ext = req.hostGoos === 'windows' ? '.exe' : '';
  return path.join(
    toolCacheRoot(req.env),
    name,
    req.tool.version,
    `${req.goVersion}-${req.hostGoos}-${req.hostGoarch}`,
    `${name}${ext}`,
  );
}

/**
 * The tool's path, built first when the cache does not hold it. The file appears by one
 * rename of a finished build, so another job on the machine sees the whole file or none.
 */
export async function goTool(req: GoToolRequest): Promise<{ file: string; built: boolean }> {
  const file = toolPath(req);
  if (await isTool(file, req.tool)) return { file, built: false };
  const dir = path.dirname(file);
  const temp = await makeDirectories(dir)
    .then(() => mkdtemp(path.join(dir, '.build-')))
    .catch((err: Error) => {
      throw new GoToolError(`the tool cache ${dir} cannot be written: ${err.message}`);
    });
  try {
    const result = await run(['go', 'install', `${req.tool.pkg}@${req.tool.version}`], {
      cwd: temp,
      env: installEnv(req.env, temp),
      timeoutMs: INSTALL_TIMEOUT_MS,
    });
    if (result.exitCode !== 0 || result.timedOut || result.signal !== null || result.spawnError) {
      const said = result.stderr.trim().split('\n').slice(-6).join(' ').trim();
      throw new GoToolError(
        `go install ${req.tool.pkg}@${req.tool.version} with ${req.goVersion} failed (${describeFailure('go install', result)}${said ? `: ${said}` : ''})`,
      );
    }
    try {
      await rename(path.join(temp, path.basename(file)), file);
    } catch (err) {
      // Windows refuses to replace a file that runs: another job put the tool there meanwhile.
      if (!(await isTool(file, req.tool))) {
        throw new GoToolError(`${file} could not be written: ${(err as Error).message}`);
      }
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return { file, built: true };
}

/** A cached file is used when its build info says it is this package at this version. */
async function isTool(file: string, tool: GoToolSpec): Promise<boolean> {
  const found = await stat(file).catch(() => null);
  if (found === null || !found.isFile()) return false;
  const [info] = await readBuildInfos(file).catch(() => [null]);
  return info?.path === tool.pkg && info.moduleVersion === tool.version;
}

/**
 * The job's Go and module source, built for this host outside any module: nothing that picks a
 * target, no GOFLAGS or go.work of the project, and GOTOOLCHAIN=auto, so a job Go older than
 * the tool's go line fetches the one it names (as `go install` does by default).
 */
function installEnv(env: Readonly<Record<string, string>>, gobin: string): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (!PINNED_VARIABLES.includes(key)) clean[key] = value;
  return {
    ...clean,
    GOBIN: gobin,
    GOFLAGS: '',
    GOWORK: 'off',
    CGO_ENABLED: '0',
    GOTOOLCHAIN: 'auto',
  };
}

/** A command built from a module directory this package ships (go.mod and go.sum pin its dependencies). */
export interface GoSourceTool {
  /** The module directory, with main package at its root. */
  readonly dir: string;
  /** The command's file name (without .exe). */
  readonly name: string;
}

export interface GoSourceToolRequest extends Omit<GoToolRequest, 'tool'> {
  readonly tool: GoSourceTool;
  /** The job's go binary (its GOROOT's bin/go, after any GOTOOLCHAIN switch); 'go' on PATH when absent. */
  readonly go?: string;
}

/**
 * Like goTool for a shipped module directory: keyed by the hash of its files (a changed source
 * is a new entry) and the job's Go, built with `go build -mod=readonly`, moved in by one rename.
 */
export async function goSourceTool(req: GoSourceToolRequest): Promise<{ file: string; built: boolean }> {
  const { dir, name } = req.tool;
  const ext = req.hostGoos === 'windows' ? '.exe' : '';
  const hash = await sourceHash(dir);
  const file = path.join(
    toolCacheRoot(req.env),
    name,
    `src-${hash.slice(0, 16)}`,
    `${req.goVersion}-${req.hostGoos}-${req.hostGoarch}`,
    `${name}${ext}`,
  );
  const found = await stat(file).catch(() => null);
  if (found?.isFile()) return { file, built: false };
  await makeDirectories(path.dirname(file));
  const temp = await mkdtemp(path.join(path.dirname(file), '.build-'));
  try {
    const result = await run(
      [req.go ?? 'go', 'build', '-trimpath', '-o', path.join(temp, `${name}${ext}`), '.'],
      {
        cwd: dir,
        env: { ...installEnv(req.env, temp), GOFLAGS: '-mod=readonly' },
        timeoutMs: INSTALL_TIMEOUT_MS,
      },
    );
    if (result.exitCode !== 0 || result.timedOut || result.signal !== null || result.spawnError) {
      const said = result.stderr.trim().split('\n').slice(-6).join(' ').trim();
      throw new GoToolError(
        `go build of ${dir} with ${req.goVersion} failed (${describeFailure('go build', result)}${said ? `: ${said}` : ''})`,
      );
    }
    try {
      await rename(path.join(temp, `${name}${ext}`), file);
    } catch (err) {
      // Windows refuses to replace a file that runs: another job put the tool there meanwhile.
      if (!(await stat(file).catch(() => null))?.isFile())
        throw new GoToolError(`${file} could not be written: ${(err as Error).message}`);
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return { file, built: true };
}

/** sha256 over the directory's files, names and bytes, in name order. */
async function sourceHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
  for (const name of names)
    hash
      .update(`${name}\0`)
      .update(await readFile(path.join(dir, name)))
      .update('\0');
  return hash.digest('hex');
}

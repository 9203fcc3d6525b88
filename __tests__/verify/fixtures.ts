// Builds the Go executables the verify tests read, once: each lands in
// .cache/test/verify-fixtures/<release>/<name> and is rebuilt only when missing. Failed builds are not
// cached (they are cheap once the target's std is in the shared GOCACHE) so a newly working target shows up.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Toolchain } from '../support/toolchains.js';
import { REPO_ROOT, SUITE_CACHE_DIR, goEnv } from '../support/toolchains.js';

const run = promisify(execFile);

export const FIXTURE_DIR = path.join(SUITE_CACHE_DIR, 'verify-fixtures');
export const CGO_MODULE = path.join(REPO_ROOT, '__tests__', 'fixtures', 'verify', 'cgo');
/**
 * What the verify tiers build for every target and variant: a real Go program that imports only
 * what it needs, so the hundreds of cold builds (every target of four toolchains) compile a fifth
 * less of the standard library than the example module would.
 */
export const MINIMAL_MODULE = path.join(REPO_ROOT, '__tests__', 'fixtures', 'minimal');

/** Cleared unless a spec sets them, so nothing leaks in from the environment running the tests. */
const VARIANT_VARS = [
  'GOARM',
  'GOAMD64',
  'GO386',
  'GOMIPS',
  'GOMIPS64',
  'GOPPC64',
  'GOARM64',
  'GORISCV64',
  'GOWASM',
];

export interface FixtureSpec {
  /** File name under the release's fixture directory. */
  name: string;
  goos: string;
  goarch: string;
  /** Extra environment: a variant, CGO_ENABLED=1 with CC … */
  env?: Record<string, string>;
  /** Extra `go build` arguments, as an argv array. */
  args?: string[];
  /** Module directory to build (default: MINIMAL_MODULE). */
  dir?: string;
}

export type Built =
  { spec: FixtureSpec; path: string; error: null } | { spec: FixtureSpec; path: null; error: string };

export interface DistTarget {
  GOOS: string;
  GOARCH: string;
}

export async function distList(tc: Toolchain): Promise<DistTarget[]> {
  const { stdout } = await run(tc.go, ['tool', 'dist', 'list', '-json'], { env: goEnv(tc) });
  return (JSON.parse(stdout) as DistTarget[]).map(({ GOOS, GOARCH }) => ({ GOOS, GOARCH }));
}

export function fixturePath(tc: Toolchain, name: string): string {
  return path.join(FIXTURE_DIR, tc.release, name);
}

/** A go build spends part of its time in serial phases (linking): three at once keep two cores busy. */
const BUILDS_AT_ONCE = 3;

/** Builds what is missing (a few `go build`s at a time) and returns every spec's outcome, keyed by name. */
export async function buildFixtures(tc: Toolchain, specs: FixtureSpec[]): Promise<Map<string, Built>> {
  const dir = path.join(FIXTURE_DIR, tc.release);
  await mkdir(dir, { recursive: true });
  const out = new Map<string, Built>();
  const missing = specs.filter((s) => {
    const file = path.join(dir, s.name);
    if (existsSync(file)) out.set(s.name, { spec: s, path: file, error: null });
    return !existsSync(file);
  });
  if (missing.length === 0) return out;
  await withLock(async () => {
    const queue = [...missing];
    const worker = async (): Promise<void> => {
      for (let s = queue.shift(); s; s = queue.shift()) out.set(s.name, await buildOne(tc, dir, s));
    };
    await Promise.all(Array.from({ length: BUILDS_AT_ONCE }, worker));
  });
  return out;
}

async function buildOne(tc: Toolchain, dir: string, s: FixtureSpec): Promise<Built> {
  const file = path.join(dir, s.name);
  // Another test process may have built it while this one waited for the lock.
  if (existsSync(file)) return { spec: s, path: file, error: null };
  const tmp = path.join(dir, `.tmp-${process.pid}-${s.name}`);
  const cleared = Object.fromEntries(VARIANT_VARS.map((v) => [v, '']));
  const env = goEnv(tc, {
    ...cleared,
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
    GOOS: s.goos,
    GOARCH: s.goarch,
    ...s.env,
  });
  try {
    await run(tc.go, ['build', '-trimpath', ...(s.args ?? []), '-o', tmp, '.'], {
      cwd: s.dir ?? MINIMAL_MODULE,
      env,
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(tmp, file);
    return { spec: s, path: file, error: null };
  } catch (e) {
    await rm(tmp, { force: true });
    const err = e as { stderr?: string; message: string };
    return { spec: s, path: null, error: (err.stderr ?? '').trim() || err.message };
  }
}

/** One builder across jest workers: a lock directory holding the owner's pid, taken over when the owner died. */
async function withLock(fn: () => Promise<void>): Promise<void> {
  const lock = path.join(FIXTURE_DIR, '.lock');
  const pidFile = path.join(lock, 'pid');
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(pidFile, String(process.pid));
      break;
    } catch {
      const owner = Number(await readFile(pidFile, 'utf8').catch(() => 'NaN'));
      if (Number.isInteger(owner) && !alive(owner)) await rm(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    await fn();
  } finally {
    await rm(pidFile, { force: true });
    await rmdir(lock).catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The fixture name for a target, optionally with a variant value: `linux-arm-7`. */
export function targetName(goos: string, goarch: string, value?: string): string {
  return value === undefined ? `${goos}-${goarch}` : `${goos}-${goarch}-${value}`;
}

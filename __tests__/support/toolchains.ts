// The Go toolchains the suite builds with, and the one GOCACHE they share for a whole run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SUITE_CACHE_DIR = path.join(REPO_ROOT, '.cache', 'test');
/** One GOCACHE for every build of the suite (the toolchains key their entries apart); goEnv sets it. */
export const SUITE_GOCACHE = path.join(SUITE_CACHE_DIR, 'gocache');
export const EXAMPLE_MODULE = path.join(REPO_ROOT, 'examples', 'hello');

export const RELEASES = ['1.19', '1.23', '1.26', '1.27'] as const;
export type Release = (typeof RELEASES)[number];

export interface Toolchain {
  /** `1.19`, `1.23`, `1.26`, `1.27` */
  readonly release: Release;
  /** Absolute path of the `go` command. */
  readonly go: string;
  /** Directory to put first on PATH so that `go` resolves to this toolchain. */
  readonly binDir: string;
}

/** The one Go 1.27 the project uses: a toolchain module from the proxy (scripts/ensure-deps.mjs fetches it). */
export const GO127 = 'go1.27.3';

let modCache: string | undefined;
/** GOMODCACHE as the system Go sees it, asked once. */
function goModCache(): string {
  modCache ??= execFileSync('/usr/local/go/bin/go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  return modCache;
}

/**
 * Where each release lives: Debian's 1.19 and 1.23 under /usr/lib/go-<release> (.ci/install-system-deps),
 * 1.26 at /usr/local/go (the machine's Go), 1.27 unpacked by `GOTOOLCHAIN=go1.27.3 go version` into GOMODCACHE.
 */
function binDirOf(release: Release): string {
  switch (release) {
    case '1.19':
    case '1.23':
      return `/usr/lib/go-${release}/bin`;
    case '1.26':
      return '/usr/local/go/bin';
    case '1.27':
      return path.join(goModCache(), 'golang.org', `toolchain@v0.0.1-${GO127}.linux-amd64`, 'bin');
  }
}

const INSTALL_HINT: Record<Release, string> = {
  '1.19': 'run .ci/install-system-deps',
  '1.23': 'run .ci/install-system-deps',
  '1.26': 'install Go 1.26 at /usr/local/go',
  '1.27': `run \`GOTOOLCHAIN=${GO127} go version\` (npm test does it)`,
};

const found = new Map<Release, Toolchain>();

export function toolchain(release: Release): Toolchain {
  const known = found.get(release);
  if (known) return known;
  const binDir = binDirOf(release);
  const go = path.join(binDir, 'go');
  if (!existsSync(go)) throw new Error(`Go ${release} is not installed at ${go}; ${INSTALL_HINT[release]}`);
  const tc = { release, go, binDir };
  found.set(release, tc);
  return tc;
}

/** Every toolchain of the suite, oldest first. */
export function toolchains(): Toolchain[] {
  return RELEASES.map(toolchain);
}

/**
 * What a GitHub Actions runner gives the suite itself when CI runs it: no test may see it (a job's
 * GITHUB_REF or GITHUB_TOKEN would change what a test measures); a test sets what it needs.
 */
const OUTER_RUNNER = /^(GITHUB_|ACTIONS_|RUNNER_|INPUT_|STATE_)|^(GH_TOKEN|GH_ENTERPRISE_TOKEN)$/;

/** An environment whose `go` is the given toolchain and whose GOCACHE is the suite's. */
export function goEnv(tc: Toolchain, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !OUTER_RUNNER.test(k)) env[k] = v;
  return {
    ...env,
    PATH: `${tc.binDir}${path.delimiter}${env.PATH ?? ''}`,
    GOCACHE: SUITE_GOCACHE,
    GOFLAGS: '',
    // A machine's go env file (e.g. GOFLAGS=-buildvcs=false) must not change what the suite
    // measures: an empty GOFLAGS in the environment does not override it, GOENV=off does.
    GOENV: 'off',
    GOTOOLCHAIN: 'local',
    ...extra,
  };
}

// The Go toolchains the suite builds with, and the one GOCACHE they share for a whole run.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SUITE_CACHE_DIR = path.join(REPO_ROOT, '.cache', 'test');
/** One GOCACHE for every build of the suite (both toolchains key their entries apart); goEnv sets it. */
export const SUITE_GOCACHE = path.join(SUITE_CACHE_DIR, 'gocache');
export const EXAMPLE_MODULE = path.join(REPO_ROOT, 'examples', 'hello');

export interface Toolchain {
  /** `1.19`, `1.23` */
  readonly release: string;
  /** Absolute path of the `go` command. */
  readonly go: string;
  /** Directory to put first on PATH so that `go` resolves to this toolchain. */
  readonly binDir: string;
}

const RELEASES = ['1.19', '1.23'] as const;

/** Debian installs each toolchain under /usr/lib/go-<release>; `.ci/run` installs both. */
export function toolchains(): Toolchain[] {
  return RELEASES.map((release) => {
    const binDir = `/usr/lib/go-${release}/bin`;
    const go = path.join(binDir, 'go');
    if (!existsSync(go)) {
      throw new Error(`Go ${release} is not installed at ${go}; run .ci/install-system-deps`);
    }
    return { release, go, binDir };
  });
}

export function toolchain(release: (typeof RELEASES)[number]): Toolchain {
  const found = toolchains().find((t) => t.release === release);
  if (!found) throw new Error(`no toolchain ${release}`);
  return found;
}

/** An environment whose `go` is the given toolchain and whose GOCACHE is the suite's. */
export function goEnv(tc: Toolchain, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return {
    ...env,
    PATH: `${tc.binDir}${path.delimiter}${env.PATH ?? ''}`,
    GOCACHE: SUITE_GOCACHE,
    GOFLAGS: '',
    ...extra,
  };
}

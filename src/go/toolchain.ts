import { goJson, goQuery, GoCommandError } from './command.js';
import type { GoRelease } from '../targets/variants.js';
import { VARIANT_VARIABLES } from '../targets/variants.js';

export interface DistTarget {
  readonly goos: string;
  readonly goarch: string;
  readonly cgoSupported: boolean;
  readonly firstClass: boolean;
}

/** Facts about the Go toolchain on PATH, all asked of the toolchain itself. */
export interface Toolchain {
  /** `go1.23.5` */
  readonly version: string;
  readonly release: GoRelease;
  readonly hostGoos: string;
  readonly hostGoarch: string;
  readonly goroot: string;
  readonly gocache: string;
  readonly gomodcache: string;
  /** GOFLAGS as Go sees it (the environment, else the go env file). */
  readonly goflags: string;
  /** `go tool dist list -json`: every GOOS/GOARCH this toolchain can target. */
  readonly dist: readonly DistTarget[];
  /** Ports the toolchain still lists but marks broken (`go tool dist list -broken`, Go ≥ 1.21). */
  readonly broken: readonly DistTarget[];
}

interface DistListEntry {
  GOOS: string;
  GOARCH: string;
  CgoSupported?: boolean;
  FirstClass?: boolean;
  Broken?: boolean;
}

/** Parses `go version` output (`go version go1.23.5 linux/amd64`, also rc and devel builds). */
export function parseGoVersion(output: string): { version: string; release: GoRelease } {
  const match = /\b(go(\d+)\.(\d+)(?:\.\d+)?(?:(?:rc|beta)\d+)?)\b/.exec(output);
  if (!match) {
    throw new GoCommandError(
      `cannot read the Go version from: ${output.trim().slice(0, 200)}; the go first on PATH does not answer 'go version' as Go does: put a Go toolchain first on PATH`,
    );
  }
  return { version: match[1] as string, release: [Number(match[2]), Number(match[3])] };
}

export async function loadToolchain(cwd: string, env: Record<string, string>): Promise<Toolchain> {
  const [versionText, goEnv, dist] = await Promise.all([
    goQuery(['version'], cwd, env),
    goJson<Record<string, string>>(['env', '-json'], cwd, env),
    distList(cwd, env),
  ]);
  const { version, release } = parseGoVersion(versionText);
  return {
    version,
    release,
    hostGoos: goEnv.GOHOSTOS ?? '',
    hostGoarch: goEnv.GOHOSTARCH ?? '',
    goroot: goEnv.GOROOT ?? '',
    gocache: goEnv.GOCACHE ?? '',
    gomodcache: goEnv.GOMODCACHE ?? '',
    goflags: goEnv.GOFLAGS ?? '',
    dist: dist.filter((d) => d.Broken !== true).map(distTarget),
    broken: dist.filter((d) => d.Broken === true).map(distTarget),
  };
}

function distTarget(d: DistListEntry): DistTarget {
  return {
    goos: d.GOOS,
    goarch: d.GOARCH,
    cgoSupported: d.CgoSupported === true,
    firstClass: d.FirstClass === true,
  };
}

/** Every port, broken ones marked; Go before 1.21 ran the real dist, which has no -broken (and lists none). */
async function distList(cwd: string, env: Record<string, string>): Promise<DistListEntry[]> {
  try {
    return await goJson<DistListEntry[]>(['tool', 'dist', 'list', '-json', '-broken'], cwd, env);
  } catch (err) {
    if (!(err instanceof GoCommandError) || !/-broken/.test(err.message)) throw err;
    return goJson<DistListEntry[]>(['tool', 'dist', 'list', '-json'], cwd, env);
  }
}

/**
 * The arch variant variable the toolchain reports for a GOOS/GOARCH and its default value,
 * with every variant variable cleared and the user's go env file ignored (GOENV=off): that is
 * the toolchain's own default, which we then pin explicitly. Undefined when the toolchain has
 * no variant variable for the arch (arm64 before Go 1.23, s390x, loong64, …).
 */
export async function defaultVariant(
  goos: string,
  goarch: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ variable: string; value: string } | undefined> {
  const queryEnv: Record<string, string> = Object.fromEntries(
    Object.entries(env).filter(([name]) => !VARIANT_VARIABLES.includes(name)),
  );
  Object.assign(queryEnv, { GOOS: goos, GOARCH: goarch, GOENV: 'off' });
  const reported = await goJson<Record<string, string>>(['env', '-json'], cwd, queryEnv);
  const known = VARIANT_VARIABLES.filter((name) => name in reported);
  // `go env -json` lists only the variable of the GOARCH it was asked about.
  const variable = known[0];
  if (variable === undefined) return undefined;
  return { variable, value: reported[variable] ?? '' };
}

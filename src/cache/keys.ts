// Cache keys. GOMODCACHE depends only on the module's dependencies, so every target and every
// job of a repository shares it. GOCACHE output depends on toolchain and compile inputs, so those
// are in the key, and a part that moves every run makes each run save a fresh, pruned entry
// (cache entries are immutable) while restore keys find the newest previous one.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface CacheKeys {
  key: string;
  /** Most to least specific; every one is a prefix of `key`. */
  restoreKeys: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Keys must not contain commas (the cache service splits on them) and stay readable. */
function clean(part: string): string {
  return part.replace(/[,\s]+/g, '_');
}

/** The runner's OS and architecture as Actions names them, else this process's. */
export function runnerTag(env: Env): string {
  const os = env.RUNNER_OS ?? process.platform;
  const arch = env.RUNNER_ARCH ?? process.arch;
  return clean(`${os}-${arch}`);
}

/** Changes every run (and every re-run attempt), so each run can save its own entry. */
export function movingPart(env: Env, now: Date): string {
  if (env.GITHUB_RUN_ID) return clean(`${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`);
  return now.toISOString().replace(/[-:.]/g, '');
}

/** Order and repetition of the inputs do not matter: the same set builds the same output. */
export function compileInputsHash(inputs: readonly string[]): string {
  const set = [...new Set(inputs)].sort();
  return sha256(set.join('\n')).slice(0, 16);
}

export interface DependencyHash {
  file: 'go.sum' | 'go.mod';
  hash: string;
}

/** go.sum lists every module the build may download; a module without one has no dependencies beyond go.mod. */
export async function hashDependencies(moduleDir: string): Promise<DependencyHash> {
  for (const file of ['go.sum', 'go.mod'] as const) {
    try {
      const content = await readFile(path.join(moduleDir, file));
      return { file, hash: sha256(content).slice(0, 16) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error(`neither go.sum nor go.mod found in ${moduleDir}`);
}

export function modulesKeys(prefix: string, env: Env, deps: DependencyHash): CacheKeys {
  // No restore keys: a partial match would bring back modules the build no longer needs, and
  // Go leaves no trace of which module files were used, so that entry could only grow.
  return { key: `${clean(prefix)}-gomod-${runnerTag(env)}-${deps.hash}`, restoreKeys: [] };
}

export function buildKeys(
  prefix: string,
  env: Env,
  goVersion: string,
  compileInputs: readonly string[],
  moving: string,
): CacheKeys {
  const toolchain = `${clean(prefix)}-gocache-${runnerTag(env)}-${clean(goVersion)}-`;
  const inputs = `${toolchain}${compileInputsHash(compileInputs)}-`;
  // The least specific key may bring another target set's entry: pruning before the save
  // drops whatever of it this run did not use.
  return { key: `${inputs}${moving}`, restoreKeys: [inputs, toolchain] };
}

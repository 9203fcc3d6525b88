// Cache keys. GOMODCACHE depends only on the module's dependencies, so every target and every
// job of a repository shares it. GOCACHE output depends on toolchain and compile inputs, so those
// are in the key, and a part that moves every run makes each run save a fresh, pruned entry
// (cache entries are immutable) while restore keys find the newest previous one. Both keys end
// with the commit time (and GOCACHE's with the run), so cleanup can tell which of two entries
// is newer from the keys alone (hygiene.ts).
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

/**
 * Changes every run (and every re-run attempt), so each run can save its own entry; starts with
 * the commit time (seconds since the epoch), so a run of an older commit sorts before a newer one.
 */
export function movingPart(env: Env, commitSeconds: number, now: Date): string {
  if (env.GITHUB_RUN_ID) {
    return clean(`${commitSeconds}-${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`);
  }
  return `${commitSeconds}-${now.toISOString().replace(/[-:.]/g, '')}`;
}

/** Order and repetition of the inputs do not matter: the same set builds the same output. */
export function compileInputsHash(inputs: readonly string[]): string {
  const set = [...new Set(inputs)].sort();
  return sha256(set.join('\n')).slice(0, 16);
}

export interface DependencyHash {
  /** What was hashed: go.sum (else go.mod) of a module; in a workspace go.work with every sum file ('go.work.sum'), or with go.mod files where there are none ('go.work'). */
  file: 'go.sum' | 'go.mod' | 'go.work.sum' | 'go.work';
  hash: string;
  /** Short hash of the module path: modules of one repository keep apart entries. */
  module: string;
}

/** A go.work workspace: its file and the directories of the modules it uses. */
export interface WorkspaceFiles {
  file: string;
  moduleDirs: readonly string[];
}

const readIfThere = (file: string): Promise<Buffer | null> =>
  readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });

/**
 * go.sum lists every module the build may download; a module without one has no dependencies
 * beyond go.mod. In a workspace the builds check sums against go.work.sum and every used
 * module's go.sum, so all of them (and go.work, whose `use` lines choose the modules) are hashed.
 */
export async function hashDependencies(
  moduleDir: string,
  workspace: WorkspaceFiles | null = null,
): Promise<DependencyHash> {
  const [goSum, goMod] = await Promise.all([
    readIfThere(path.join(moduleDir, 'go.sum')),
    readIfThere(path.join(moduleDir, 'go.mod')),
  ]);
  if (goMod === null) throw new Error(`neither go.sum nor go.mod found in ${moduleDir}`);
  const module = sha256(modulePath(goMod.toString('utf8'))).slice(0, 8);
  if (workspace !== null) return { ...(await hashWorkspace(workspace)), module };
  return goSum !== null
    ? { file: 'go.sum', hash: sha256(goSum).slice(0, 16), module }
    : { file: 'go.mod', hash: sha256(goMod).slice(0, 16), module };
}

async function hashWorkspace(workspace: WorkspaceFiles): Promise<Pick<DependencyHash, 'file' | 'hash'>> {
  const root = path.dirname(workspace.file);
  const files = [
    workspace.file,
    path.join(root, 'go.work.sum'),
    ...[...workspace.moduleDirs].sort().map((dir) => path.join(dir, 'go.sum')),
  ];
  const hash = createHash('sha256');
  let sums = false;
  for (const file of files) {
    let content = await readIfThere(file);
    if (content !== null && file !== workspace.file) sums = true;
    // A module without go.sum has no dependencies beyond its go.mod.
    if (content === null && path.basename(file) === 'go.sum')
      content = await readIfThere(path.join(path.dirname(file), 'go.mod'));
    // Names relative to go.work and NUL-separated: a file moving between modules changes the hash.
    hash.update(`${path.relative(root, file)}\0${content === null ? '-' : content.length}\0`);
    if (content !== null) hash.update(content);
  }
  return { file: sums ? 'go.work.sum' : 'go.work', hash: hash.digest('hex').slice(0, 16) };
}

function modulePath(goMod: string): string {
  return /^module\s+"?([^"\s]+)"?/m.exec(goMod)?.[1] ?? '';
}

/** Every GOMODCACHE entry of this module on this runner OS/arch starts with it. */
export function modulesFamily(prefix: string, env: Env, deps: DependencyHash): string {
  return `${clean(prefix)}-gomod-${runnerTag(env)}-${deps.module}-`;
}

export function modulesKeys(
  prefix: string,
  env: Env,
  deps: DependencyHash,
  commitSeconds: number,
): CacheKeys {
  // The one restore key is the same go.sum (saved by an earlier commit): another go.sum would
  // bring back modules the build no longer needs, and Go leaves no trace of which module files
  // were used, so that entry could only grow.
  const sameDeps = `${modulesFamily(prefix, env, deps)}${deps.hash}-`;
  return { key: `${sameDeps}${commitSeconds}`, restoreKeys: [sameDeps] };
}

/** Every GOCACHE entry of any Go version on this runner OS/arch starts with it. */
export function buildFamily(prefix: string, env: Env): string {
  return `${clean(prefix)}-gocache-${runnerTag(env)}-`;
}

/** The compile inputs hash in a GOCACHE key this version wrote; null in any other key. */
export function inputsHashOf(key: string): string | null {
  return /-[0-9a-f]{8}-([0-9a-f]{16})-\d+-(?:\d+-\d+|\d{8}T\d{9}Z)$/.exec(key)?.[1] ?? null;
}

/** The packages a leg builds, apart from the rest, so a leg finds its own package set's entries first. */
export function packagesHash(packages: readonly string[]): string {
  return sha256([...new Set(packages)].sort().join('\n')).slice(0, 8);
}

export function buildKeys(
  prefix: string,
  env: Env,
  goVersion: string,
  packages: readonly string[],
  compileInputs: readonly string[],
  moving: string,
): CacheKeys {
  const toolchain = `${buildFamily(prefix, env)}${clean(goVersion)}-`;
  const ownPackages = `${toolchain}${packagesHash(packages)}-`;
  const inputs = `${ownPackages}${compileInputsHash(compileInputs)}-`;
  // The less specific keys may bring another target set's or package set's entry: pruning
  // before the save drops whatever of it this run did not use.
  return { key: `${inputs}${moving}`, restoreKeys: [inputs, ownPackages, toolchain] };
}

/** Every delta entry (delta.ts) on this runner OS/arch starts with it. */
export function deltaFamily(prefix: string, env: Env): string {
  return `${clean(prefix)}-gocache-delta-${runnerTag(env)}-`;
}

/** Stands for the fingerprint of a run whose binaries may not be reused (cgo, signing…). */
export const NO_FINGERPRINT = '0'.repeat(16);

export interface DeltaKeys {
  key: string;
  /** Any delta of the base from this leg: the newest holds what the leg's last run on top of it used. */
  ofBase: string;
  /** A delta of the base saved by a run of the same inputs fingerprint: its binaries are this run's. */
  sameInputs: string;
}

/**
 * A delta of `baseKey` saved by a run whose GOCACHE key would start with `legPrefix` (its Go
 * version, packages and compile inputs): the leg's hash (a newer delta of the leg supersedes an
 * older one, whatever their bases), the base's hash, the fingerprint, then the run.
 */
export function deltaKeys(
  prefix: string,
  env: Env,
  legPrefix: string,
  baseKey: string,
  fingerprint: string | null,
  moving: string,
): DeltaKeys {
  const ofBase = `${deltaFamily(prefix, env)}${sha256(legPrefix).slice(0, 16)}-${deltaBaseHash(baseKey)}-`;
  const sameInputs = `${ofBase}${(fingerprint ?? NO_FINGERPRINT).slice(0, 16)}-`;
  return { key: `${sameInputs}${moving}`, ofBase, sameInputs };
}

/** How a delta's key names its base. */
export function deltaBaseHash(baseKey: string): string {
  return sha256(baseKey).slice(0, 16);
}

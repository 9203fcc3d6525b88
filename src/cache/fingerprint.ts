// What a build reads, hashed without running it: when nothing in it changed since a run saved its
// binaries, Go would produce the same bytes, so that run's binaries can be used as they are.
// Deliberately wider than Go: a file Go might read is hashed even where it would not be.
import { createHash } from 'node:crypto';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** What goes into the fingerprint besides the files. */
export interface FingerprintInputs {
  /** 'go1.26.8' */
  readonly goVersion: string;
  /** Targets with variants, CGO_ENABLED, tags, flags, trimpath, env, GOFLAGS (what keys GOCACHE). */
  readonly compileInputs: readonly string[];
  /** Each binary's `go build` argv: link flags, the stamped version, output names. */
  readonly argvs: readonly (readonly string[])[];
  /** Go-related variables of the job's environment (GOEXPERIMENT, GODEBUG…). */
  readonly goEnv: Readonly<Record<string, string>>;
  /** The VCS state Go stamps into the binaries; null when it stamps none. */
  readonly vcs: string | null;
  /** The main module's directory and every other directory of the build's own source (workspace modules, local replacements). */
  readonly sourceDirs: readonly string[];
  /** Never hashed: the build's own output. */
  readonly outputDir: string;
  /** Files outside those directories the build reads (a workspace's go.work and go.work.sum); a missing one counts as such. */
  readonly files?: readonly string[];
}

// go/build's source kinds (the extensions it sorts into GoFiles, CFiles, SFiles, SysoFiles and
// the rest), the module files, vendor/modules.txt and PGO profiles (default.pgo): every file Go
// reads from a package directory apart from //go:embed targets, which are resolved below.
const READ_EXTENSIONS = new Set([
  '.go',
  '.c',
  '.h',
  '.s',
  '.S',
  '.sx',
  '.cc',
  '.cpp',
  '.cxx',
  '.hh',
  '.hpp',
  '.hxx',
  '.m',
  '.f',
  '.F',
  '.for',
  '.f90',
  '.swig',
  '.swigcxx',
  '.syso',
  '.pgo',
]);
const READ_NAMES = new Set(['go.mod', 'go.sum', 'go.work', 'go.work.sum', 'modules.txt']);

/** A file Go may read whatever it embeds. */
function readByGo(name: string): boolean {
  return READ_NAMES.has(name) || READ_EXTENSIONS.has(path.extname(name));
}

/** Every file under `dir` (symlinks followed, each real directory once), relative to `dir`. */
async function walk(
  dir: string,
  skip: (abs: string) => boolean,
  seen = new Set<string>(),
): Promise<string[]> {
  const real = await realpath(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    if (skip(abs)) continue;
    const isDir =
      entry.isDirectory() || (entry.isSymbolicLink() && (await stat(abs).catch(() => null))?.isDirectory());
    if (isDir) {
      // Another module's tree is not this module's source (a workspace or replacement names it).
      if (
        await stat(path.join(abs, 'go.mod')).then(
          () => true,
          () => false,
        )
      )
        continue;
      files.push(...(await walk(abs, skip, seen)).map((f) => path.join(entry.name, f)));
    } else {
      files.push(entry.name);
    }
  }
  return files;
}

/** The patterns of a file's //go:embed lines (quoted ones unquoted), `all:` dropped. */
export function embedPatterns(source: string): string[] {
  const patterns: string[] = [];
  for (const line of source.split('\n')) {
    const m = /^\s*\/\/go:embed\s+(.*)$/.exec(line);
    if (!m?.[1]) continue;
    for (const word of m[1].match(/"(?:[^"\\]|\\.)*"|`[^`]*`|\S+/g) ?? []) {
      const unquoted = word.startsWith('"') ? (JSON.parse(word) as string) : word.replace(/^`|`$/g, '');
      patterns.push(unquoted.replace(/^all:/, ''));
    }
  }
  return patterns;
}

/**
 * What a pattern can match, as a path prefix relative to the package directory: its elements up to
 * the first one with a glob character. Every file under that prefix is taken (a superset of what
 * Go embeds, which also leaves out names starting with '.' or '_' unless `all:` is given).
 */
function embedPrefix(pattern: string): string {
  const elements = pattern.split('/');
  const literal = elements.findIndex((e) => /[*?[\\]/.test(e));
  return (literal === -1 ? elements : elements.slice(0, literal)).join('/');
}

/** Hex sha256 over the inputs and every file Go may read from the source directories. */
export async function inputsFingerprint(inputs: FingerprintInputs): Promise<string> {
  const hash = createHash('sha256');
  const line = (text: string): void => void hash.update(`${text}\n`);
  line(`go ${inputs.goVersion}`);
  for (const i of [...new Set(inputs.compileInputs)].sort()) line(`compile ${i}`);
  for (const argv of inputs.argvs.map((a) => JSON.stringify(a)).sort()) line(`argv ${argv}`);
  for (const [k, v] of Object.entries(inputs.goEnv).sort(([a], [b]) => a.localeCompare(b)))
    line(`env ${k}=${v}`);
  line(`vcs ${inputs.vcs ?? '-'}`);
  for (const file of [...new Set(inputs.files ?? [])].sort()) {
    const content = await readFile(file).catch(() => null);
    line(`file ${file} ${content === null ? '-' : content.length}`);
    if (content !== null) hash.update(content);
  }
  const outputDir = path.resolve(inputs.outputDir);
  const skip = (abs: string): boolean => path.basename(abs) === '.git' || abs === outputDir;
  for (const dir of [...new Set(inputs.sourceDirs.map((d) => path.resolve(d)))].sort()) {
    const all = (await walk(dir, skip)).sort();
    const taken = new Set(all.filter((f) => readByGo(path.basename(f))));
    for (const file of all.filter((f) => f.endsWith('.go'))) {
      const source = await readFile(path.join(dir, file), 'utf8');
      if (!source.includes('//go:embed')) continue;
      const pkgDir = path.dirname(file);
      for (const prefix of embedPatterns(source).map(embedPrefix)) {
        const under = path.join(pkgDir, prefix);
        for (const f of all) {
          if (under === '.' || f === under || f.startsWith(`${under}/`)) taken.add(f);
        }
      }
    }
    line(`dir ${dir}`);
    for (const file of [...taken].sort()) {
      const content = await readFile(path.join(dir, file));
      hash.update(`${file}\0${content.length}\0`);
      hash.update(content);
    }
  }
  return hash.digest('hex');
}

/** The directories of `replace … => ./local` lines: Go reads their source as the module's own. */
export function localReplacements(goMod: string, moduleDir: string): string[] {
  const dirs: string[] = [];
  for (const m of goMod.matchAll(/=>\s*("[^"]+"|\S+)/g)) {
    const target = (m[1] ?? '').replace(/^"|"$/g, '');
    // Go's rule: a replacement is a directory when it starts with ./ or ../ or is absolute.
    if (/^\.\.?(\/|$)/.test(target) || path.isAbsolute(target)) dirs.push(path.resolve(moduleDir, target));
  }
  return dirs;
}

import path from 'node:path';
import { InputError } from '../options/errors.js';
import { goQuery } from './command.js';
import type { Logger } from '../log.js';
import type { GoModule } from './module.js';
import { realDirectory } from './module.js';

/**
 * Checks every `package` once, before the fan-out: a package that does not exist, lies outside
 * the module or is no main package would fail every target with the same go message.
 */
export async function checkPackages(
  packages: readonly string[],
  module: GoModule,
  workingDirectory: string,
  env: Record<string, string>,
): Promise<void> {
  const plain = packages.filter((p) => !p.includes('...'));
  for (const pkg of plain) {
    if (!pkg.startsWith('.')) continue;
    const dir = path.resolve(workingDirectory, pkg);
    // Through symlinks as Go sees it: a checkout reached through a link is still the module.
    const inside = path.relative(realDirectory(module.dir), realDirectory(dir));
    if (inside.startsWith('..') || path.isAbsolute(inside)) {
      throw new InputError(
        'package',
        pkg,
        `It is the directory ${dir}, outside the module ${module.path} (${module.dir}); name a main package inside it, e.g. ./cmd/app.`,
      );
    }
  }
  if (plain.length === 0) return;
  // One line per package; -e keeps going past a broken one so each gets its own verdict.
  const listed = await goQuery(
    ['list', '-e', '-f', '{{.ImportPath}}\t{{.Name}}\t{{if .Error}}{{.Error.Err}}{{end}}', '--', ...plain],
    workingDirectory,
    env,
  );
  const lines = listed.trimEnd().split('\n');
  for (const [i, pkg] of plain.entries()) {
    const [importPath = pkg, name = '', error = ''] = (lines[i] ?? '').split('\t');
    // The host's GOOS may exclude a package built only for other targets: that is for go build to judge per target.
    if (error !== '' && !/build constraints exclude all Go files/.test(error)) {
      throw new InputError(
        'package',
        pkg,
        `go list in module ${module.path} says: ${error.split('\n')[0]}${onePerLine(pkg)}`,
      );
    }
    if (error === '' && name !== 'main') {
      throw new InputError(
        'package',
        pkg,
        `${importPath} is package ${name}, not a main package, so go build makes no executable of it; name a package with func main.`,
      );
    }
  }
}

/** A GOOS/GOARCH pair the packages are built for. */
export interface Platform {
  readonly goos: string;
  readonly goarch: string;
}

export interface ExpandedPackages {
  /** Explicit lines as written, each pattern replaced by the main packages it matches, first mention first. */
  readonly packages: string[];
  /** Packages a pattern matched as main for some platforms only (`goos/goarch`): built for those alone. */
  readonly onlyFor: ReadonlyMap<string, ReadonlySet<string>>;
  /** Packages patterns matched that are not main: go build makes no executable of them. */
  readonly libraries: string[];
}

export interface ExpandContext {
  readonly workingDirectory: string;
  /** The query environment: no target variables, GOTOOLCHAIN=local. */
  readonly env: Record<string, string>;
  readonly platforms: readonly Platform[];
  readonly tags: readonly string[];
  readonly cgoEnabled: string;
}

export function isPattern(pkg: string): boolean {
  return pkg.includes('...');
}

/**
 * Replaces each `...` pattern by the main packages it matches, once, before the fan-out: `go
 * build -o file ./cmd/...` would refuse to write several packages to one file. A package is
 * matched as Go would match it for each platform (build constraints and tags decide), so a
 * command built only for windows is built for the windows targets alone.
 */
export async function expandPackages(
  packages: readonly string[],
  ctx: ExpandContext,
): Promise<ExpandedPackages> {
  const result: string[] = [];
  const onlyFor = new Map<string, Set<string>>();
  const libraries: string[] = [];
  // Explicit lines by directory and as written: a pattern does not add a package a line names.
  const explicit = new Set(
    packages.filter((p) => !isPattern(p)).map((p) => packageKey(p, ctx.workingDirectory)),
  );
  const seen = new Set<string>();
  for (const pkg of packages) {
    if (!isPattern(pkg)) {
      const key = packageKey(pkg, ctx.workingDirectory);
      if (!seen.has(key)) result.push(pkg);
      seen.add(key);
      continue;
    }
    const matched = await matchPattern(pkg, ctx);
    for (const [spelling, found] of matched.mains) {
      const keys = [packageKey(spelling, ctx.workingDirectory), found.importPath];
      if (keys.some((k) => seen.has(k))) continue;
      keys.forEach((k) => seen.add(k));
      result.push(spelling);
      if (found.platforms.size < matched.platforms && !keys.some((k) => explicit.has(k))) {
        onlyFor.set(spelling, found.platforms);
      }
    }
    libraries.push(...matched.libraries.filter((l) => !libraries.includes(l)));
  }
  return { packages: result, onlyFor, libraries };
}

/** How a package line is compared with another: its directory for a relative one, else as written. */
function packageKey(pkg: string, workingDirectory: string): string {
  return pkg.startsWith('.') ? path.resolve(workingDirectory, pkg) : pkg.replace(/\/$/, '');
}

interface Matched {
  /** Main packages by their spelling, relative to the working directory. */
  readonly mains: Map<string, { importPath: string; platforms: Set<string> }>;
  readonly libraries: string[];
  /** How many platforms were asked. */
  readonly platforms: number;
}

async function matchPattern(pattern: string, ctx: ExpandContext): Promise<Matched> {
  const platforms = [...new Map(ctx.platforms.map((p) => [`${p.goos}/${p.goarch}`, p])).values()];
  const mains = new Map<string, { importPath: string; platforms: Set<string> }>();
  const names = new Map<string, string>();
  const problems: string[] = [];
  const listed = await Promise.all(
    platforms.map((p) =>
      goQuery(
        [
          'list',
          '-e',
          ...(ctx.tags.length > 0 ? [`-tags=${ctx.tags.join(',')}`] : []),
          '-f',
          '{{.Dir}}\t{{.ImportPath}}\t{{.Name}}\t{{if .Error}}{{.Error.Err}}{{end}}',
          '--',
          pattern,
        ],
        ctx.workingDirectory,
        // Which packages match, and their names, are facts of the module's own files: nothing
        // is downloaded for them (the modules come later, once, restored from the cache).
        { ...ctx.env, GOOS: p.goos, GOARCH: p.goarch, CGO_ENABLED: ctx.cgoEnabled, GOPROXY: 'off' },
      ),
    ),
  );
  for (const [i, text] of listed.entries()) {
    const platform = platforms[i] as Platform;
    for (const line of text.split('\n').filter((l) => l !== '')) {
      const [dir = '', importPath = '', name = '', error = ''] = line.split('\t');
      if (dir === '') {
        if (error !== '') problems.push(error.split('\n')[0] ?? error);
        continue;
      }
      const spelling = relativeSpelling(dir, ctx.workingDirectory, importPath);
      if (name !== 'main') {
        names.set(spelling, name);
        continue;
      }
      const found = mains.get(spelling) ?? { importPath, platforms: new Set<string>() };
      found.platforms.add(`${platform.goos}/${platform.goarch}`);
      mains.set(spelling, found);
    }
  }
  const libraries = [...names.keys()].filter((s) => !mains.has(s));
  if (mains.size === 0) {
    const split = onePerLine(pattern);
    const what =
      libraries.length > 0
        ? `It matches only packages that are not main (${libraries.join(', ')}), so go build makes no executable of them`
        : `It matches no package${problems.length > 0 ? ` (go list: ${problems[0]})` : ''}`;
    const fix =
      split !== ''
        ? `${split}.`
        : '; name the directory of a main package (one with func main), e.g. ./cmd/app, or a pattern above some, e.g. ./cmd/....';
    throw new InputError('package', pattern, `${what}${fix}`);
  }
  return { mains, libraries, platforms: platforms.length };
}

/** `./cmd/app` for a directory in the working directory's tree, else the import path (go build takes both). */
function relativeSpelling(dir: string, workingDirectory: string, importPath: string): string {
  const relative = path.relative(realDirectory(workingDirectory), realDirectory(dir));
  if (path.isAbsolute(relative) || relative.split(path.sep)[0] === '..') return importPath;
  return relative === '' ? '.' : `./${relative.split(path.sep).join('/')}`;
}

/** `expandPackages`, saying in the log what each pattern became and what it left out. */
export async function expandPackageLines(
  packages: readonly string[],
  ctx: ExpandContext,
  log: Logger,
): Promise<ExpandedPackages> {
  if (!packages.some(isPattern)) return { packages: [...packages], onlyFor: new Map(), libraries: [] };
  const expanded = await expandPackages(packages, ctx);
  log.info(`Packages (patterns expanded to their main packages): ${expanded.packages.join(' ')}`);
  if (expanded.libraries.length > 0) {
    log.info(
      `Left out, not main packages (go build makes no executable of them): ${expanded.libraries.join(' ')}`,
    );
  }
  for (const [pkg, platforms] of expanded.onlyFor) {
    log.info(
      `${pkg} is a main package for ${[...platforms].join(' ')} only (build constraints): built for those targets alone.`,
    );
  }
  return expanded;
}

/**
 * For an entry that holds spaces: `package` takes one entry per line, so './cmd/a ./cmd/b' is
 * one directory of that name. Shows the split it was probably meant as.
 */
function onePerLine(entry: string): string {
  const words = entry.split(/\s+/).filter((w) => w !== '');
  if (words.length < 2) return '';
  return `. Entries go one per line, so this whole line was read as one package; to build ${words.length}, put each on its own line: ${words.map((w) => `'${w}'`).join(', ')} (on the command line, one --package per entry)`;
}

import { validateArtifactName } from '../upload/names.js';
import { statSync } from 'node:fs';
import path from 'node:path';
import { split as shellSplit } from 'shlex';
import { splitGoQuoted } from '../compile/ldflags.js';
import { VARIANT_VARIABLES } from '../targets/variants.js';
import { WINDOWS_RELEASES } from '../verify/floor.js';
import { InputError } from './errors.js';
import { KEPT_CHARACTERS, unkeptCharacters } from '../release/names.js';
import type { RawInputs } from './inputs.js';
import { withDefaults } from './inputs.js';
import type { SbomFormat } from '../sbom/index.js';
import type { WindowsSigning } from '../sign/windows-inputs.js';
import { parseWindowsSigning, secretShown } from '../sign/windows-inputs.js';
import type { SizeBaseline } from '../size/baseline.js';
import type { SizeBudget } from '../size/budget.js';
import { parseSizeBaseline, parseSizeBudget } from '../size/options.js';
import type { VulncheckMode } from './vulncheck.js';
import { parseVulncheck, parseVulncheckDb } from './vulncheck.js';
import type { MacosSigning } from '../sign/macos-inputs.js';
import { parseMacosSigning } from '../sign/macos-inputs.js';

/** Inputs whose value no message repeats. */
const SECRET_INPUTS: readonly string[] = [
  'github-token',
  'windows-certificate',
  'windows-certificate-password',
  'macos-certificate',
  'macos-certificate-password',
  'macos-notary-key',
];

export type Mode = 'build' | 'plan' | 'collect';
export type Linkage = 'static' | 'dynamic' | 'any';
export type ArchiveFormat = 'auto' | 'tar.gz' | 'zip' | 'none';
export type CacheMode = 'true' | 'false' | 'restore-only' | 'always';
export type UploadMode = 'per-target' | 'combined' | 'false';

/** Every input, validated and typed. Built from action inputs or CLI flags by parseOptions. */
export interface Options {
  readonly mode: Mode;
  /** Target lists stay text here: they are expanded against the toolchain in use. */
  readonly targets: string;
  readonly exclude: string;
  readonly packages: readonly string[];
  /** Absolute. */
  readonly workingDirectory: string;
  readonly name: string | null;
  readonly cgoEnabled: '0' | '1';
  /** `goos/goarch` → C compiler command line (Go itself splits CC into words). */
  readonly cc: ReadonlyMap<string, string>;
  readonly ldflags: string;
  readonly version: string | null;
  readonly tags: readonly string[];
  readonly flags: readonly string[];
  readonly trimpath: boolean;
  readonly env: Readonly<Record<string, string>>;
  /** Targets at once; 'auto' lets the engine size it to the machine (see compile/budget.ts). */
  readonly parallel: number | 'auto';
  readonly failFast: boolean;
  readonly buildTimeoutMs: number;
  /** Absolute. */
  readonly outputDir: string;
  readonly nameTemplate: string;
  readonly verify: boolean;
  readonly linkage: Linkage;
  readonly maxGlibc: string | null;
  /** As typed, e.g. '12' or '10.15'. */
  readonly minMacos: string | null;
  /** A key of WINDOWS_RELEASES: '7', '8', '8.1', '10' or '11'. */
  readonly minWindows: string | null;
  readonly smokeTest: readonly string[] | null;
  readonly archive: ArchiveFormat;
  readonly extraFiles: readonly string[];
  readonly checksums: 'sha256' | 'none';
  readonly universal: boolean;
  /** 'check': every built target is built again and compared (src/reproduce/). */
  readonly reproducible: 'check' | 'off';
  readonly cache: CacheMode;
  readonly cacheKeyPrefix: string;
  readonly cacheCleanup: 'auto' | 'false';
  readonly upload: UploadMode;
  readonly artifactName: string | null;
  /** What every artifact name starts with, and what collect takes; null: derived (see upload/prefix.ts). */
  readonly artifactPrefix: string | null;
  readonly retentionDays: number | null;
  readonly chunks: number;
  /** The whole matrix this job builds part of (text, like targets); null: the job's own targets. */
  readonly matrixTargets: string | null;
  readonly summary: boolean;
  readonly badge: boolean;
  readonly sbom: readonly SbomFormat[];
  readonly release: ReleaseMode;
  readonly releaseNotes: ReleaseNotes;
  readonly prerelease: 'auto' | 'true' | 'false';
  readonly makeLatest: 'true' | 'false' | 'legacy';
  /** Verify the release's assets as downloaded, after it is made. */
  readonly verifyRelease: boolean;
  readonly githubToken: string;
  readonly status: boolean;
  /** Authenticode signing of windows binaries; null when no certificate is given. */
  readonly windowsSigning: WindowsSigning | null;
  /** What the binaries' sizes are compared with (src/size/). */
  readonly sizeBaseline: SizeBaseline;
  /** How much a binary may grow over the baseline; null: no limit. */
  readonly sizeBudget: SizeBudget | null;
  /** govulncheck on every binary: what a reachable finding does. */
  readonly vulncheck: VulncheckMode;
  /** The vulnerability database (https:// or file:// URL); null: govulncheck's default. */
  readonly vulncheckDb: string | null;
  /** Developer ID signing (and notarization) of darwin binaries; null when no certificate is given. */
  readonly macosSigning: MacosSigning | null;
}

/** `true` publishes, `draft` stops before publishing (for review), `false` does nothing. */
export type ReleaseMode = 'true' | 'draft' | 'false';
export type ReleaseNotes = 'auto' | 'generated' | 'tag';

/**
 * Variables every build pins itself; setting them through `env` would defeat the pinning.
 * GOTOOLCHAIN is not among them: the job's is replaced by `local`, but `env` may choose one.
 */
export const PINNED_VARIABLES: readonly string[] = ['GOOS', 'GOARCH', 'CGO_ENABLED', ...VARIANT_VARIABLES];

/** `go build` flags that would write elsewhere, run other programs or build another module. */
const FORBIDDEN_FLAGS: Readonly<Record<string, string>> = {
  '-o': "the output path comes from 'output-dir' and 'name-template'",
  '-C': "it builds in another directory; set 'working-directory' instead",
  '-toolexec': 'it runs another program for every compile and link step',
  '-exec': "it runs another program ('go build' has no use for it)",
  '-overlay': 'it replaces source files with files from elsewhere',
  '-modfile': 'it replaces go.mod, which the module facts are read from',
};

/**
 * The `go build` flags whose value may be the next word (`-p 4`), as `go help build` lists them
 * (a test reads that text of every supported Go). Go's flag package takes that word whatever it
 * is (`-gcflags '-N -l'`); every other flag is a boolean and never takes one.
 */
export const GO_BUILD_VALUE_FLAGS: readonly string[] = [
  '-C',
  '-o',
  '-p',
  '-asmflags',
  '-buildmode',
  '-compiler',
  '-covermode',
  '-coverpkg',
  '-gccgoflags',
  '-gcflags',
  '-installsuffix',
  '-ldflags',
  '-mod',
  '-modfile',
  '-overlay',
  '-pgo',
  '-pkgdir',
  '-tags',
  '-toolexec',
];

/** Linker flags (in `ldflags`) that would write elsewhere or replace what `go build` links. */
const FORBIDDEN_LINKER_FLAGS: Readonly<Record<string, string>> = {
  '-o': "the output path comes from 'output-dir' and 'name-template'",
  '-cpuprofile': 'it writes a profile outside output-dir',
  '-memprofile': 'it writes a profile outside output-dir',
  '-benchmarkprofile': 'it writes a profile outside output-dir',
  '-capturehostobjs': 'it writes the host object files outside output-dir',
  '-tmpdir': 'the linker leaves its temporary files there',
  '-importcfg': "it replaces the package archives 'go build' chose",
};

export const NAME_TEMPLATE_PLACEHOLDERS = ['name', 'goos', 'goarch', 'variant', 'version', 'ext'] as const;
export const LDFLAGS_PLACEHOLDERS = ['version', 'commit', 'date', 'goos', 'goarch'] as const;

function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value.trim().toLowerCase());
  if (found === undefined)
    throw new InputError(input, value, `Valid values: ${allowed.map((a) => `'${a}'`).join(', ')}.`);
  return found;
}

function bool(input: string, value: string): boolean {
  return oneOf(input, value, ['true', 'false']) === 'true';
}

function positiveInteger(input: string, value: string, max: number): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > max) {
    throw new InputError(input, value, `Use a whole number from 1 to ${max}.`);
  }
  return Number(trimmed);
}

/** Go-style durations: `90s`, `30m`, `1h30m`, `1.5h`. */
export function parseDuration(input: string, value: string): number {
  const trimmed = value.trim();
  const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const part = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = part.exec(trimmed); m !== null; m = part.exec(trimmed)) {
    total += Number(m[1]) * (unitMs[m[2] as string] ?? 0);
    consumed = part.lastIndex;
  }
  if (trimmed === '' || consumed !== trimmed.length || total <= 0 || total > 7 * 24 * 3_600_000) {
    throw new InputError(input, value, "Use a duration such as '90s', '30m' or '1h30m' (at most 168h).");
  }
  return total;
}

function lines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function checkPlaceholders(input: string, value: string, allowed: readonly string[]): void {
  for (const match of value.matchAll(/\{([^{}]*)\}/g)) {
    const name = match[1] ?? '';
    if (!allowed.includes(name)) {
      throw new InputError(
        input,
        value,
        `'{${name}}' is not a placeholder here; use ${allowed.map((p) => `{${p}}`).join(', ')}.`,
      );
    }
  }
}

/**
 * The linker reads `ldflags` as Go splits it; a flag of its own is checked like one of `flags`.
 * Checked as typed and again once placeholders are filled in, as a value may start a field.
 */
export function checkLdflags(value: string): void {
  let fields: string[];
  try {
    fields = splitGoQuoted(value);
  } catch (err) {
    throw new InputError(
      'ldflags',
      value,
      `Go cannot split it into linker arguments (${(err as Error).message}); check the quotes.`,
    );
  }
  for (const field of fields.filter((f) => f.startsWith('-'))) {
    refuseForbidden('ldflags', value, field, FORBIDDEN_LINKER_FLAGS);
  }
}

/** `-name`, `--name` and `-name=value` all name the flag `-name`. */
function refuseForbidden(
  input: string,
  value: string,
  word: string,
  forbidden: Readonly<Record<string, string>>,
): void {
  const flag = word.replace(/^--/, '-').split('=')[0] ?? word;
  const reason = forbidden[flag];
  if (reason !== undefined) throw new InputError(input, value, `'${flag}' cannot be used: ${reason}.`);
}

/**
 * The words of `flags`, with a value given as the next word attached with '=' (`-p 1` →
 * `-p=1`): one word per flag, as the rest of the engine reads them (GOFLAGS attaches values too).
 */
function parseFlags(value: string): string[] {
  let words: string[];
  try {
    words = shellSplit(value);
  } catch (err) {
    throw new InputError(
      'flags',
      value,
      `It cannot be split into words (${(err as Error).message}); check the quotes.`,
    );
  }
  const flags: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    refuseForbidden('flags', value, word, FORBIDDEN_FLAGS);
    if (!word.startsWith('-')) {
      throw new InputError(
        'flags',
        value,
        `'${word}' is not a flag, nor the value of one: packages go in 'package'; only flags that take a value (${GO_BUILD_VALUE_FLAGS.filter((f) => !(f in FORBIDDEN_FLAGS)).join(', ')}) take the next word, others take '=' (e.g. -buildvcs=false).`,
      );
    }
    const name = word.replace(/^--/, '-');
    if (!word.includes('=') && GO_BUILD_VALUE_FLAGS.includes(name)) {
      const next = words[i + 1];
      if (next === undefined)
        throw new InputError('flags', value, `'${word}' needs a value, e.g. '${word} 4' or '${word}=4'.`);
      flags.push(`${word}=${next}`);
      i++;
      continue;
    }
    flags.push(word);
  }
  return flags;
}

/** The GOFIPS140 values Go 1.24+ documents (a module version is vX.Y.Z). */
const FIPS140_VALUE = /^(off|latest|inprocess|certified|v\d+\.\d+\.\d+)$/;

function parseEnv(value: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of lines(value)) {
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new InputError(
        'env',
        line,
        "Each line must be KEY=VALUE with a variable name before '=', e.g. GOEXPERIMENT=loopvar.",
      );
    }
    if (PINNED_VARIABLES.includes(key)) {
      throw new InputError(
        'env',
        line,
        `${key} is pinned for every target; choose it through 'targets' (GOOS/GOARCH/VARIANT) or 'cgo-enabled' instead.`,
      );
    }
    const setting = line.slice(eq + 1);
    if (key === 'GOFIPS140' && !FIPS140_VALUE.test(setting)) {
      throw new InputError(
        'env',
        line,
        'GOFIPS140 takes off, latest, inprocess, certified or a FIPS module version such as v1.0.0.',
      );
    }
    env[key] = setting;
  }
  return env;
}

function parseCc(value: string): Map<string, string> {
  const cc = new Map<string, string>();
  for (const line of lines(value)) {
    const match = /^([a-z0-9]+\/[a-z0-9]+)\s*=\s*(\S.*)$/.exec(line);
    if (!match) {
      throw new InputError(
        'cc',
        line,
        "Each line must be GOOS/GOARCH=compiler, e.g. 'linux/arm64=aarch64-linux-gnu-gcc'.",
      );
    }
    cc.set(match[1] as string, (match[2] as string).trim());
  }
  return cc;
}

function parseName(value: string): string | null {
  const name = value.trim();
  if (name === '') return null;
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name) || name.length > 128) {
    throw new InputError(
      'name',
      value,
      "Use a plain file name: letters, digits, '.', '_', '+', '-' (no slashes), at most 128 characters.",
    );
  }
  return name;
}

function parseGlibc(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (!/^2\.\d{1,3}$/.test(trimmed))
    throw new InputError('max-glibc', value, "Use a glibc version such as '2.17' or '2.31'.");
  return trimmed;
}

function parseMacos(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  // macOS majors have two digits: 10.x (10.0–10.15), then 11 onwards.
  if (!/^[1-9]\d(\.\d{1,2}){0,2}$/.test(trimmed))
    throw new InputError('min-macos', value, "Use a macOS version such as '12', '13.0' or '10.15'.");
  return trimmed;
}

function parseWindows(value: string): string | null {
  if (value.trim() === '') return null;
  return oneOf('min-windows', value, [...WINDOWS_RELEASES.keys()]);
}

function parsePackages(value: string): string[] {
  const packages = lines(value);
  if (packages.length === 0)
    throw new InputError('package', value, "Name at least one main package, e.g. '.' or './cmd/app'.");
  for (const pkg of packages) {
    if (pkg.startsWith('-'))
      throw new InputError('package', pkg, "A package cannot start with '-'; flags go in 'flags'.");
  }
  return packages;
}

const MAX_PATTERN_LENGTH = 4096;

/** Patterns stay inside working-directory: no absolute paths, no '..' (a glob from '/' would also crawl the whole disk). */
function parseExtraFiles(value: string): string[] {
  const patterns = lines(value);
  for (const line of patterns) {
    const pattern = line.startsWith('!') ? line.slice(1) : line;
    if (
      pattern === '' ||
      path.isAbsolute(pattern) ||
      pattern.split(/[\\/]/).includes('..') ||
      pattern.includes('\0')
    ) {
      throw new InputError(
        'extra-files',
        line,
        `Name files inside working-directory with a relative path or glob (e.g. 'LICENSE', 'docs/*.md'), without '..', at most ${MAX_PATTERN_LENGTH} characters.`,
      );
    }
  }
  return patterns;
}

function parseParallel(value: string): number | 'auto' {
  if (value.trim().toLowerCase() === 'auto') return 'auto';
  return positiveInteger('parallel', value, 256);
}

function parseTemplate(value: string, release: ReleaseMode): string {
  if (value.trim() === '') throw new InputError('name-template', value, 'It cannot be empty.');
  checkPlaceholders('name-template', value, NAME_TEMPLATE_PLACEHOLDERS);
  // A release asset is named after the file (directories are left behind), and GitHub renames
  // files whose names hold characters it does not keep.
  const fileName = value.trim().slice(value.trim().lastIndexOf('/') + 1);
  const unkept = unkeptCharacters(fileName.replace(/\{[^{}]*\}/g, ''));
  if (release !== 'false' && unkept.length > 0) {
    throw new InputError(
      'name-template',
      value,
      `A release asset takes the file's name, and GitHub would store it with ${unkept.map((c) => JSON.stringify(c)).join(' ')} turned into '.', so checksums.txt and the next run would not find it. Use only ${KEPT_CHARACTERS} in the file name.`,
    );
  }
  return value.trim();
}

/**
 * The one place inputs are validated. `baseDir` resolves relative paths (the workspace in
 * Actions, the current directory on the command line).
 */
export function parseOptions(given: RawInputs, baseDir: string): Options {
  const raw = withDefaults(given);
  for (const [name, value] of Object.entries(raw)) {
    if (value.includes('\0'))
      throw new InputError(
        name,
        SECRET_INPUTS.includes(name) ? secretShown(value) : value,
        'It contains a NUL character, which no file name or command argument can hold.',
      );
  }
  const get = (name: string): string => raw[name] ?? '';
  const cgoEnabled = oneOf('cgo-enabled', get('cgo-enabled'), ['0', '1']);
  const linkageText = get('linkage').trim();
  const ldflags = get('ldflags');
  checkPlaceholders('ldflags', ldflags, LDFLAGS_PLACEHOLDERS);
  checkLdflags(ldflags);
  const token = get('github-token');
  const retention = get('retention-days').trim();
  const smoke = get('smoke-test');
  const release = oneOf('release', get('release'), ['true', 'draft', 'false']);
  const workingDirectory = existingDirectory(
    path.resolve(baseDir, get('working-directory').trim() || '.'),
    get('working-directory'),
  );
  return {
    mode: oneOf('mode', get('mode'), ['build', 'plan', 'collect']),
    targets: get('targets'),
    exclude: get('exclude'),
    packages: parsePackages(get('package')),
    workingDirectory,
    name: parseName(get('name')),
    cgoEnabled,
    cc: parseCc(get('cc')),
    ldflags,
    version: get('version').trim() === '' ? null : get('version').trim(),
    tags: get('tags')
      .split(/[\s,]+/)
      .filter((t) => t !== ''),
    flags: parseFlags(get('flags')),
    trimpath: bool('trimpath', get('trimpath')),
    env: parseEnv(get('env')),
    parallel: parseParallel(get('parallel')),
    failFast: bool('fail-fast', get('fail-fast')),
    buildTimeoutMs: parseDuration('build-timeout', get('build-timeout')),
    outputDir: path.resolve(workingDirectory, get('output-dir').trim() || 'dist'),
    nameTemplate: parseTemplate(get('name-template'), release),
    verify: bool('verify', get('verify')),
    linkage:
      linkageText === ''
        ? cgoEnabled === '1'
          ? 'any'
          : 'static'
        : oneOf('linkage', linkageText, ['static', 'dynamic', 'any']),
    maxGlibc: parseGlibc(get('max-glibc')),
    minMacos: parseMacos(get('min-macos')),
    minWindows: parseWindows(get('min-windows')),
    smokeTest: smoke.trim() === '' ? null : parseSmoke(smoke),
    archive: oneOf('archive', get('archive'), ['auto', 'tar.gz', 'zip', 'none']),
    extraFiles: parseExtraFiles(get('extra-files')),
    checksums: oneOf('checksums', get('checksums'), ['sha256', 'none']),
    universal: bool('universal', get('universal')),
    reproducible: oneOf('reproducible', get('reproducible'), ['check', 'off']),
    cache: oneOf('cache', get('cache'), ['true', 'false', 'restore-only', 'always']),
    cacheKeyPrefix: parseKeyPrefix(get('cache-key-prefix')),
    cacheCleanup: oneOf('cache-cleanup', get('cache-cleanup'), ['auto', 'false']),
    upload: oneOf('upload', get('upload'), ['per-target', 'combined', 'false']),
    artifactName: get('artifact-name').trim() === '' ? null : get('artifact-name').trim(),
    artifactPrefix: parseArtifactPrefix(get('artifact-prefix')),
    retentionDays: retention === '' ? null : positiveInteger('retention-days', retention, 400),
    chunks: positiveInteger('chunks', get('chunks'), 256),
    matrixTargets: get('matrix-targets').trim() === '' ? null : get('matrix-targets'),
    summary: bool('summary', get('summary')),
    badge: bool('badge', get('badge')),
    sbom: parseSbom(get('sbom'), release),
    release,
    releaseNotes: oneOf('release-notes', get('release-notes'), ['auto', 'generated', 'tag']),
    prerelease: oneOf('prerelease', get('prerelease'), ['auto', 'true', 'false']),
    makeLatest: oneOf('make-latest', get('make-latest'), ['true', 'false', 'legacy']),
    verifyRelease: bool('verify-release', get('verify-release')),
    // The runner substitutes the expression; on the command line the literal means "no token".
    githubToken: token.startsWith('${{') ? '' : token,
    status: bool('status', get('status')),
    windowsSigning: parseWindowsSigning(
      get('windows-certificate'),
      get('windows-certificate-password'),
      get('windows-timestamp-url'),
    ),
    ...parseSizeOptions(get('size-baseline'), get('size-budget'), baseDir),
    vulncheck: parseVulncheck(get('vulncheck'), release),
    vulncheckDb: parseVulncheckDb(get('vulncheck-db'), workingDirectory),
    macosSigning: parseMacosSigning({
      certificate: get('macos-certificate'),
      password: get('macos-certificate-password'),
      notaryKey: get('macos-notary-key'),
      notaryKeyId: get('macos-notary-key-id'),
      notaryIssuer: get('macos-notary-issuer'),
    }),
  };
}

function parseSizeOptions(
  baseline: string,
  budget: string,
  baseDir: string,
): Pick<Options, 'sizeBaseline' | 'sizeBudget'> {
  const sizeBaseline = parseSizeBaseline(baseline, baseDir);
  const sizeBudget = parseSizeBudget(budget);
  if (sizeBudget !== null && sizeBaseline.kind === 'off') {
    throw new InputError(
      'size-budget',
      budget,
      "A budget needs sizes to compare with, and size-baseline is 'off'; leave size-budget empty or set size-baseline to 'auto', a release tag or a manifest.json.",
    );
  }
  return { sizeBaseline, sizeBudget };
}

function existingDirectory(resolved: string, value: string): string {
  let isDirectory = false;
  try {
    isDirectory = statSync(resolved).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory)
    throw new InputError('working-directory', value, `${resolved} is not an existing directory.`);
  return resolved;
}

function parseSmoke(value: string): string[] {
  try {
    return shellSplit(value);
  } catch (err) {
    throw new InputError(
      'smoke-test',
      value,
      `It cannot be split into words (${(err as Error).message}); check the quotes.`,
    );
  }
}

/** 'auto' makes SBOMs for what is released; they cost one read of each binary. */
function parseSbom(value: string, release: ReleaseMode): SbomFormat[] {
  const choice = oneOf('sbom', value, ['auto', 'cyclonedx', 'none']);
  if (choice === 'auto') return release === 'false' ? [] : ['cyclonedx'];
  return choice === 'none' ? [] : [choice];
}

function parseKeyPrefix(value: string): string {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(trimmed)) {
    throw new InputError('cache-key-prefix', value, "Use 1–64 letters, digits, '.', '_' or '-'.");
  }
  return trimmed;
}

/** A prefix the artifact service takes in a name; '' derives one (upload/prefix.ts). */
function parseArtifactPrefix(text: string): string | null {
  const prefix = text.trim();
  if (prefix === '') return null;
  try {
    validateArtifactName(prefix);
  } catch {
    throw new InputError(
      'artifact-prefix',
      text,
      'Every artifact name starts with it, and the artifact service allows none of " : < > | * ? \\r \\n \\ / in a name; leave those out.',
    );
  }
  return prefix;
}

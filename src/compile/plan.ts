import path from 'node:path';
import type { GoModule } from '../go/module.js';
import { realDirectory } from '../go/module.js';
import type { Toolchain } from '../go/toolchain.js';
import { InputError } from '../options/errors.js';
import type { NAME_TEMPLATE_PLACEHOLDERS, Options } from '../options/options.js';
import { checkLdflags } from '../options/options.js';
import { buildMeaning } from '../targets/meaning.js';
import type { ResolvedTarget } from '../targets/resolve.js';
import { variantMeaning, variantSuffix } from '../targets/variants.js';
import type { CCompiler } from './compilers.js';
import { discoverCompiler } from './compilers.js';
import type { PinnedVariables } from './env.js';
import { buildEnvironment } from './env.js';
import { renderLdflags, substitute } from './ldflags.js';
import type { SourceMetadata } from './metadata.js';

/** Everything needed to run and report one `go build`. */
export interface BuildJob {
  readonly target: ResolvedTarget;
  readonly package: string;
  readonly name: string;
  /** The variant as the file name shows it (`-v7`), or '' when the name shows none. */
  readonly variantSuffix: string;
  /** Other spellings of the same build in the matrix (`linux/arm` for `linux/arm/7`), recorded in the manifest. */
  readonly aliases: readonly string[];
  /** Absolute path of the binary. */
  readonly output: string;
  readonly pinned: PinnedVariables;
  readonly env: Record<string, string>;
  readonly argv: readonly string[];
  /** Set when Go cannot link this target without a C toolchain that is not configured: the build is not attempted. */
  readonly cannotBuild: string | null;
}

/** Files the engine itself writes into output-dir; a binary must not take their names. */
export const RESERVED_OUTPUT_NAMES = ['manifest.json', 'checksums.txt', 'badge.svg', 'badge.json'];

/**
 * Go links these only with an external linker (cmd/internal/sys.MustLinkExternal and the
 * PIE default of android and ios in cmd/go), so without a configured C toolchain they fail
 * with raw linker output. We say why instead.
 */
export function externalLinkerNeeded(goos: string, goarch: string): string | null {
  if (goos === 'android' && goarch !== 'arm64') {
    return `Go links ${goos}/${goarch} only with an external linker (the Android NDK's clang). Set 'cc' to '${goos}/${goarch}=<path to the NDK clang for this arch>', or exclude the target.`;
  }
  if (goos === 'ios') {
    return `Go links ${goos}/${goarch} only with Apple's linker (Xcode's clang). Build it on a macOS runner with 'cc' set to '${goos}/${goarch}=<xcrun clang …>', or exclude the target.`;
  }
  return null;
}

/** The binary base name Go itself would pick: the package directory, or the module's last element for '.'. */
export function defaultName(pkg: string, module: GoModule, workingDirectory: string): string {
  const elements = (p: string): string[] => p.split('/').filter((e) => e !== '' && e !== '.');
  let parts: string[];
  if (pkg === '.' || pkg === './') {
    // Go names the package by its real directory: a checkout reached through a symlink (as /tmp
    // is on macOS) must not be named after the link.
    const here = realDirectory(workingDirectory);
    parts = here === realDirectory(module.dir) ? elements(module.path) : [path.basename(here)];
  } else {
    parts = elements(pkg.replace(/\/\.\.\.$/, ''));
  }
  // example.com/app/v2 builds `app`, as `go build` names it.
  if (parts.length > 1 && /^v\d+$/.test(parts[parts.length - 1] ?? '')) parts.pop();
  return parts[parts.length - 1] ?? 'main';
}

/** The default name of `pkg`, or an error naming `package` when it cannot be a file name. */
function derivedName(pkg: string, module: GoModule, workingDirectory: string): string {
  const name = defaultName(pkg, module, workingDirectory);
  const bytes = Buffer.byteLength(name);
  if (name === '..' || bytes > MAX_NAME_BYTES) {
    throw new InputError(
      'package',
      pkg,
      `Its last path element names the binaries, and ${name === '..' ? "'..' is not a file name" : `${bytes} bytes is longer than the ${MAX_NAME_BYTES} a file name can take here`}; set 'name' to a plain file name.`,
    );
  }
  return name;
}

export interface PlanInputs {
  readonly options: Options;
  readonly toolchain: Toolchain;
  readonly module: GoModule;
  readonly metadata: SourceMetadata;
  readonly targets: readonly ResolvedTarget[];
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  /** Packages built for some `goos/goarch` pairs only (a pattern matched them there alone). */
  readonly onlyFor?: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * The whole matrix when `targets` is one leg of it: file names are decided over it, so a
   * file's name does not depend on which targets share its leg.
   */
  readonly matrixTargets?: readonly ResolvedTarget[];
}

export interface JobPlan {
  readonly jobs: BuildJob[];
  /** Targets that would build the very same binary as another one, and were merged into it. */
  readonly merged: { readonly dropped: string; readonly kept: string }[];
}

export function planJobs(inputs: PlanInputs): JobPlan {
  const { options, module, targets } = inputs;
  const jobs: BuildJob[] = [];
  const merged: { dropped: string; kept: string }[] = [];
  const byOutput = new Map<string, number>();
  const matrix = [...(inputs.matrixTargets ?? []), ...targets];
  const showVariant = variantsShown(matrix);
  const spellings = new Map<string, Set<string>>();
  for (const t of matrix)
    spellings.set(buildMeaning(t), (spellings.get(buildMeaning(t)) ?? new Set()).add(t.id));
  const aliasesOf = (t: ResolvedTarget) =>
    [...(spellings.get(buildMeaning(t)) ?? [])].filter((id) => id !== t.id);
  for (const pkg of options.packages) {
    const name = options.name ?? derivedName(pkg, module, options.workingDirectory);
    const only = inputs.onlyFor?.get(pkg);
    for (const target of targets) {
      if (only !== undefined && !only.has(`${target.goos}/${target.goarch}`)) continue;
      const job = planJob(inputs, target, pkg, name, showVariant(target), aliasesOf(target));
      const previous = byOutput.get(job.output);
      if (previous === undefined) {
        byOutput.set(job.output, jobs.length);
        jobs.push(job);
        continue;
      }
      const earlier = jobs[previous] as BuildJob;
      if (sameBuild(earlier, job)) {
        // linux/arm and linux/arm/7 on a toolchain whose default is 7 (or linux/arm64/v8.1 and
        // v8.1+lse): one binary, keep the named spelling.
        const keepNew = job.target.variant !== null && earlier.target.variant === null;
        if (keepNew) jobs[previous] = job;
        merged.push(
          keepNew
            ? { dropped: earlier.target.id, kept: job.target.id }
            : { dropped: job.target.id, kept: earlier.target.id },
        );
        continue;
      }
      const otherPackage = earlier.package !== job.package;
      if (otherPackage && options.name !== null) {
        throw new InputError(
          'name',
          options.name,
          `It names the binary of one package, and ${options.packages.length} packages are built (${options.packages.join(', ')}), so every one would get that name. Leave 'name' out to name each binary after its package's directory, or build one package with it.`,
        );
      }
      throw new InputError(
        'name-template',
        options.nameTemplate,
        `It gives ${describe(earlier)} and ${describe(job)} the same file ${path.relative(options.outputDir, job.output)}; add ${otherPackage ? '{name}' : '{variant}, {goos} or {goarch}'} so every ${otherPackage ? 'package' : 'target'} gets its own name.`,
      );
    }
  }
  return { jobs, merged };
}

function describe(job: BuildJob): string {
  return `${job.target.id} (${job.package})`;
}

function sameBuild(a: BuildJob, b: BuildJob): boolean {
  return a.package === b.package && buildMeaning(a.target) === buildMeaning(b.target);
}

/** Bytes per path element of an output: NAME_MAX (255) less room for `.tar.gz` and `.<pid>.partial`. */
const MAX_NAME_BYTES = 200;
/** Bytes of a whole output path: PATH_MAX (4096) less the same room. */
const MAX_PATH_BYTES = 4000;

/** Where a file named by `name-template` goes; an error when the name escapes output-dir or takes a reserved name. */
export function outputPath(
  options: Pick<Options, 'nameTemplate' | 'outputDir'>,
  fields: Readonly<Record<(typeof NAME_TEMPLATE_PLACEHOLDERS)[number], string>>,
  what: string,
): string {
  const fileName = substitute(options.nameTemplate, fields);
  const output = path.resolve(options.outputDir, fileName);
  const relative = path.relative(options.outputDir, output);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative) || fileName.includes('\0')) {
    throw new InputError(
      'name-template',
      options.nameTemplate,
      `For ${what} it gives '${fileName}', which is not a file inside output-dir; use a relative name without '..'.`,
    );
  }
  const longest = Math.max(...relative.split(path.sep).map((part) => Buffer.byteLength(part)));
  if (longest > MAX_NAME_BYTES) {
    throw new InputError(
      'name-template',
      options.nameTemplate,
      `For ${what} it gives a file name element of ${longest} bytes; file systems allow 255, and the archive and temporary names need room: keep each at most ${MAX_NAME_BYTES}.`,
    );
  }
  const total = Buffer.byteLength(output);
  if (total > MAX_PATH_BYTES) {
    throw new InputError(
      'name-template',
      options.nameTemplate,
      `For ${what} it gives a path of ${total} bytes; Linux allows 4096, and the archive and temporary names need room: keep output-dir and the name together at most ${MAX_PATH_BYTES}.`,
    );
  }
  if (RESERVED_OUTPUT_NAMES.includes(relative)) {
    throw new InputError(
      'name-template',
      options.nameTemplate,
      `For ${what} it gives '${relative}', a file the action writes itself.`,
    );
  }
  return output;
}

/** `.exe` for windows, `.wasm` for wasm, else nothing. */
export function executableExtension(goos: string, goarch: string): string {
  return goos === 'windows' ? '.exe' : goarch === 'wasm' ? '.wasm' : '';
}

/**
 * Whether the file name shows the variant: when the target named one, always for arm (GOARM
 * decides which boards run it), and whenever the matrix builds more than one variant of the
 * same GOOS/GOARCH, so no two incompatible binaries differ only in content.
 */
function variantsShown(targets: readonly ResolvedTarget[]): (t: ResolvedTarget) => boolean {
  const levels = new Map<string, Set<string>>();
  for (const t of targets) {
    const key = `${t.goos}/${t.goarch}`;
    const set = levels.get(key) ?? new Set<string>();
    set.add(t.pinnedVariant ? variantMeaning(t.pinnedVariant.variable, t.pinnedVariant.value) : '');
    levels.set(key, set);
  }
  return (t) =>
    t.pinnedVariant !== null &&
    (t.variant !== null || t.goarch === 'arm' || (levels.get(`${t.goos}/${t.goarch}`)?.size ?? 0) > 1);
}

function planJob(
  inputs: PlanInputs,
  target: ResolvedTarget,
  pkg: string,
  name: string,
  showVariant: boolean,
  aliases: readonly string[],
): BuildJob {
  const { options, metadata, baseEnv } = inputs;
  const shownVariant =
    showVariant && target.pinnedVariant
      ? variantSuffix(target.pinnedVariant.variable, target.pinnedVariant.value)
      : '';
  const output = outputPath(
    options,
    {
      name,
      goos: target.goos,
      goarch: target.goarch,
      variant: shownVariant,
      version: metadata.version,
      ext: executableExtension(target.goos, target.goarch),
    },
    target.id,
  );
  const pinned: PinnedVariables = {
    GOOS: target.goos,
    GOARCH: target.goarch,
    CGO_ENABLED: options.cgoEnabled,
    variant: target.pinnedVariant,
    fips140: options.env.GOFIPS140 ?? null,
  };
  const { compiler, cannotBuild } = chooseCompiler(inputs, target);
  const ldflags = renderTargetLdflags(options, metadata, target);
  const argv = [
    'go',
    'build',
    '-o',
    output,
    ...(options.trimpath ? ['-trimpath'] : []),
    ...(options.tags.length > 0 ? [`-tags=${options.tags.join(',')}`] : []),
    ...(ldflags !== '' ? [`-ldflags=${ldflags}`] : []),
    ...options.flags,
    pkg,
  ];
  return {
    target,
    package: pkg,
    name,
    variantSuffix: shownVariant,
    aliases,
    output,
    pinned,
    env: buildEnvironment(baseEnv, pinned, options.env, compiler),
    argv,
    cannotBuild,
  };
}

/**
 * The C compiler of a target: the `cc` input, else (with cgo on, for a cross target) one found
 * on PATH. Targets Go links only externally, and cgo cross targets with no compiler, are not
 * built at all: the reason is the target's error instead of raw compiler output.
 */
function chooseCompiler(
  inputs: PlanInputs,
  target: ResolvedTarget,
): { compiler: CCompiler | null; cannotBuild: string | null } {
  const { options, toolchain, baseEnv } = inputs;
  const configured = options.cc.get(`${target.goos}/${target.goarch}`);
  if (configured !== undefined) return { compiler: { cc: configured, cxx: null }, cannotBuild: null };
  const external = externalLinkerNeeded(target.goos, target.goarch);
  if (external !== null) return { compiler: null, cannotBuild: external };
  if (options.cgoEnabled !== '1') return { compiler: null, cannotBuild: null };
  const goarm = target.pinnedVariant?.variable === 'GOARM' ? target.pinnedVariant.value : null;
  const choice = discoverCompiler(
    target.goos,
    target.goarch,
    goarm,
    { goos: toolchain.hostGoos, goarch: toolchain.hostGoarch },
    baseEnv,
  );
  return 'missing' in choice
    ? { compiler: null, cannotBuild: choice.missing }
    : { compiler: choice.found, cannotBuild: null };
}

function renderTargetLdflags(options: Options, metadata: SourceMetadata, target: ResolvedTarget): string {
  const rendered = renderOrExplain(options, metadata, target);
  checkLdflags(rendered);
  return rendered;
}

function renderOrExplain(options: Options, metadata: SourceMetadata, target: ResolvedTarget): string {
  try {
    return renderLdflags(options.ldflags, {
      version: metadata.version,
      commit: metadata.commit,
      date: metadata.date,
      goos: target.goos,
      goarch: target.goarch,
    });
  } catch (err) {
    throw new InputError(
      'ldflags',
      options.ldflags,
      `It cannot be passed to the linker: ${(err as Error).message}.`,
    );
  }
}

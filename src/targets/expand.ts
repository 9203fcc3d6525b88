import type { DistTarget } from '../go/toolchain.js';
import { InputError } from '../options/errors.js';
import { expectationFor } from '../verify/expect.js';
import type { TargetPattern } from './grammar.js';
import { parseTargetList, segmentMatches, TargetSyntaxError } from './grammar.js';
import { nearest } from './suggest.js';
import type { GoRelease } from './variants.js';
import type { VariantRule } from './variants.js';
import {
  atLeast,
  FEATURE_SEPARATOR,
  featureProblem,
  splitSpelling,
  validVariantValues,
  variantRule,
} from './variants.js';

/** A target as the user asked for it, before the toolchain's defaults are pinned. */
export interface RequestedTarget {
  readonly goos: string;
  readonly goarch: string;
  /** The variant value the user named, or null (the toolchain default is pinned later). */
  readonly variant: string | null;
  readonly firstClass: boolean;
  readonly cgoSupported: boolean;
}

export interface TargetUniverse {
  /** The ports the toolchain builds: `go tool dist list`. */
  readonly dist: readonly DistTarget[];
  /** The ports it lists only with `-broken`. */
  readonly broken: readonly DistTarget[];
  /** e.g. `go1.23.5`, for messages. */
  readonly goVersion: string;
  readonly release: GoRelease;
}

export function targetId(t: { goos: string; goarch: string; variant: string | null }): string {
  return t.variant === null ? `${t.goos}/${t.goarch}` : `${t.goos}/${t.goarch}/${t.variant}`;
}

/**
 * Expands `targets` minus `exclude` into a de-duplicated list, in the order written (presets
 * and wildcards in `go tool dist list` order). Every problem is an InputError naming the input.
 */
export function selectTargets(
  targetsText: string,
  excludeText: string,
  universe: TargetUniverse,
  input: 'targets' | 'matrix-targets' = 'targets',
): RequestedTarget[] {
  const wanted = expand(input, targetsText, universe);
  if (wanted.length === 0) {
    throw new InputError(
      input,
      targetsText,
      'Name at least one target, e.g. linux/amd64, or a preset: first-class, all.',
    );
  }
  const excluded = parse('exclude', excludeText);
  // An exclude entry is checked like a target entry: a typo must not silently exclude nothing.
  for (const pattern of excluded) {
    if (pattern.kind === 'preset') continue;
    const variant = pattern.variant;
    for (const d of matchDist('exclude', pattern, universe)) {
      if (variant !== null) variantsFor('exclude', pattern, d, variant, universe);
    }
  }
  const kept = wanted.filter((t) => !excluded.some((pattern) => excludes(pattern, t)));
  if (kept.length === 0) {
    throw new InputError(
      'exclude',
      excludeText,
      `It removes every target of '${targetsText.trim()}'; nothing would be built.`,
    );
  }
  return kept;
}

function parse(input: string, text: string): TargetPattern[] {
  try {
    return parseTargetList(text);
  } catch (err) {
    if (err instanceof TargetSyntaxError) throw new InputError(input, err.entry, err.reason);
    throw err;
  }
}

function expand(input: string, text: string, universe: TargetUniverse): RequestedTarget[] {
  const result: RequestedTarget[] = [];
  const seen = new Set<string>();
  for (const pattern of parse(input, text)) {
    for (const target of expandPattern(input, pattern, universe)) {
      const id = targetId(target);
      if (!seen.has(id)) {
        seen.add(id);
        result.push(target);
      }
    }
  }
  return result;
}

function expandPattern(input: string, pattern: TargetPattern, universe: TargetUniverse): RequestedTarget[] {
  if (pattern.kind === 'preset') {
    const chosen = pattern.preset === 'all' ? universe.dist : universe.dist.filter((d) => d.firstClass);
    return chosen.map((d) => requested(d, null));
  }
  const matches = matchDist(input, pattern, universe);
  if (pattern.variant === null) return matches.map((d) => requested(d, null));
  const variant = pattern.variant;
  return matches.flatMap((d) =>
    variantsFor(input, pattern, d, variant, universe).map((v) => requested(d, v)),
  );
}

function requested(d: DistTarget, variant: string | null): RequestedTarget {
  return { goos: d.goos, goarch: d.goarch, variant, firstClass: d.firstClass, cgoSupported: d.cgoSupported };
}

function matchDist(
  input: string,
  pattern: TargetPattern & { kind: 'pattern' },
  universe: TargetUniverse,
): DistTarget[] {
  const matches = universe.dist.filter(
    (d) => segmentMatches(pattern.goos, d.goos) && segmentMatches(pattern.goarch, d.goarch),
  );
  if (matches.length > 0) return matches;
  const spelled = `${pattern.goos}/${pattern.goarch}`;
  const gone = portElsewhere(spelled, universe);
  if (gone !== null) {
    // An exclude list shared by jobs of several Go releases may name a port this one lacks.
    if (input === 'exclude') return [];
    throw new InputError(input, pattern.text, gone);
  }
  let suggestion: string | undefined;
  if (spelled.includes('*')) {
    const goosValues = [...new Set(universe.dist.map((d) => d.goos))];
    const goarchValues = [...new Set(universe.dist.map((d) => d.goarch))];
    const goos = pattern.goos.includes('*')
      ? pattern.goos
      : (nearest(pattern.goos, goosValues) ?? pattern.goos);
    const goarch = pattern.goarch.includes('*')
      ? pattern.goarch
      : (nearest(pattern.goarch, goarchValues) ?? pattern.goarch);
    const candidate = `${goos}/${goarch}`;
    const hits = universe.dist.some((d) => segmentMatches(goos, d.goos) && segmentMatches(goarch, d.goarch));
    suggestion = hits && candidate !== spelled ? candidate : undefined;
  } else {
    suggestion = nearest(
      spelled,
      universe.dist.map((d) => `${d.goos}/${d.goarch}`),
    );
    // A right GOARCH with a wrong GOOS (or the reverse): suggest within what the toolchain pairs it with.
    suggestion ??=
      nearest(
        spelled,
        universe.dist
          .filter((d) => d.goarch === pattern.goarch || d.goos === pattern.goos)
          .map((d) => `${d.goos}/${d.goarch}`),
      ) ?? pairedWith(pattern, universe);
  }
  const what = spelled.includes('*')
    ? `'${pattern.text}' matches no target of ${universe.goVersion}`
    : `'${pattern.text}' is not a target of ${universe.goVersion}`;
  const hint = suggestion
    ? `did you mean '${pattern.variant === null ? suggestion : `${suggestion}/${pattern.variant}`}'?`
    : "'go tool dist list' shows the valid GOOS/GOARCH pairs.";
  throw new InputError(input, pattern.text, `${what}; ${hint}`);
}

/**
 * Why a GOOS/GOARCH that is a real port shape is missing from this toolchain's list: marked
 * broken, or not a port of this release (ports come and go: windows/arm left in Go 1.26). Null
 * for what looks like a typo.
 */
function portElsewhere(spelled: string, universe: TargetUniverse): string | null {
  if (spelled.includes('*')) return null;
  const [goos = '', goarch = ''] = spelled.split('/');
  const remedy = `remove it from targets (or exclude it), or build it in a job with a Go release that has it`;
  if (universe.broken.some((d) => d.goos === goos && d.goarch === goarch)) {
    return `${universe.goVersion} marks ${spelled} as broken ('go tool dist list -broken'), so it is not built: ${remedy}.`;
  }
  if (typeof expectationFor(goos, goarch) === 'string') return null;
  return `${spelled} is not a port of ${universe.goVersion} ('go tool dist list' does not list it; Go releases add and remove ports): ${remedy}.`;
}

function pairedWith(pattern: { goos: string; goarch: string }, universe: TargetUniverse): string | undefined {
  const sameArch = universe.dist.filter((d) => d.goarch === pattern.goarch).map((d) => d.goos);
  const goos = nearest(pattern.goos, sameArch) ?? (sameArch.length === 1 ? sameArch[0] : undefined);
  return goos === undefined ? undefined : `${goos}/${pattern.goarch}`;
}

function variantsFor(
  input: string,
  pattern: TargetPattern & { kind: 'pattern' },
  d: DistTarget,
  variant: string,
  universe: TargetUniverse,
): string[] {
  const rule = variantRule(d.goarch);
  const valid = validVariantValues(d.goarch, universe.release);
  const where = `${d.goos}/${d.goarch}`;
  if (!rule || valid.length === 0) {
    const why = rule
      ? `${universe.goVersion} has no ${rule.variable} (it needs a newer Go)`
      : `Go has no variant variable for ${d.goarch}`;
    throw new InputError(input, pattern.text, `${where} takes no variant: ${why}. Write '${where}'.`);
  }
  const spelling = splitSpelling(d.goarch, variant);
  const problem = featureProblem(d.goarch, spelling, universe.release, universe.goVersion);
  if (problem !== null) {
    const how = !rule.features
      ? ` Valid: ${valid.join(', ')}.`
      : !atLeast(universe.release, rule.features.since)
        ? // Another feature spelling would fail alike: only dropping them or a newer Go helps.
          ` Drop the features (${valid.includes(spelling.level) ? `'${where}/${spelling.level}'` : `a level alone: ${valid.join(', ')}`}) or install Go ${rule.features.since.join('.')} or newer before this step.`
        : ` Write the level, then the features joined by '${FEATURE_SEPARATOR}', e.g. '${where}/${exampleSpelling(rule, valid)}'.`;
    throw new InputError(
      input,
      pattern.text,
      `'${variant}' is not a ${rule.variable} value for ${where}: ${problem}.${how}`,
    );
  }
  if (rule.levels.length === 0) return [variant];
  const withFeatures = (level: string): string => [level, ...spelling.features].join(FEATURE_SEPARATOR);
  if (spelling.level.includes('*')) {
    const matching = valid.filter((v) => segmentMatches(spelling.level, v));
    if (matching.length > 0) return matching.map(withFeatures);
  } else if (valid.includes(spelling.level)) {
    return [variant];
  }
  const suggestion = nearest(spelling.level, valid);
  throw new InputError(
    input,
    pattern.text,
    `'${spelling.level}' is not a ${rule.variable} value of ${universe.goVersion} for ${where}` +
      `${suggestion ? `; did you mean '${where}/${withFeatures(suggestion)}'?` : '.'} Valid: ${valid.join(', ')}.`,
  );
}

/** `6+softfloat`, `v9.5+lse+crypto`, `satconv+signext`: a valid spelling with features, for messages. */
function exampleSpelling(rule: VariantRule, valid: readonly string[]): string {
  const names = rule.features?.names ?? [];
  const features = rule.features?.exclusive ? names.slice(-1) : names;
  const level = rule.levels.length > 0 ? [valid[valid.length - 1] ?? ''] : [];
  return [...level, ...features].join(FEATURE_SEPARATOR);
}

function excludes(pattern: TargetPattern, t: RequestedTarget): boolean {
  if (pattern.kind === 'preset') {
    return pattern.preset === 'all' || t.firstClass;
  }
  if (!segmentMatches(pattern.goos, t.goos) || !segmentMatches(pattern.goarch, t.goarch)) return false;
  if (pattern.variant === null) return true;
  return t.variant !== null && segmentMatches(pattern.variant, t.variant);
}

/**
 * Arch variant variables: which environment variable selects the instruction-set level of a
 * GOARCH, which values Go accepts for it, and what a value means. This mirrors Go's own rules
 * (cmd/go/internal/cfg.GetArchEnv and internal/buildcfg); whether a given toolchain knows a
 * variable at all is asked of that toolchain (`go env -json` lists it for the GOARCH).
 *
 * A value is a level with optional features (`GOARM=6,softfloat`, `GOARM64=v8.2,crypto,lse`).
 * In a target entry the features join the level with '+' (`linux/arm64/v8.2+crypto`), because
 * ',' already separates targets; the value pinned for Go is the same text with ','.
 */

/** [major, minor] of a Go release, e.g. [1, 21]. */
export type GoRelease = readonly [number, number];

export interface VariantRule {
  /** GOARM, GOAMD64, … */
  readonly variable: string;
  /** The levels; empty for GOWASM, whose value is only a feature list. */
  readonly levels: readonly { value: string; since: GoRelease }[];
  readonly features?: {
    readonly names: readonly string[];
    readonly since: GoRelease;
    /** At most one of the names (GOARM's float ABI). */
    readonly exclusive: boolean;
  };
}

/** Joins a variant's features to its level in a target entry (Go itself uses ','). */
export const FEATURE_SEPARATOR = '+';

const ALWAYS: GoRelease = [1, 0];

const range = (values: readonly string[], since: GoRelease = ALWAYS): VariantRule['levels'] =>
  values.map((value) => ({ value, since }));

const ARM64_LEVELS = [
  ...Array.from({ length: 10 }, (_, i) => `v8.${i}`),
  ...Array.from({ length: 6 }, (_, i) => `v9.${i}`),
];

const FLOAT = ['hardfloat', 'softfloat'];

const RULES: Readonly<Record<string, VariantRule>> = {
  arm: {
    variable: 'GOARM',
    levels: range(['5', '6', '7']),
    features: { names: FLOAT, since: [1, 22], exclusive: true },
  },
  amd64: { variable: 'GOAMD64', levels: range(['v1', 'v2', 'v3', 'v4'], [1, 18]) },
  '386': { variable: 'GO386', levels: range(['sse2', 'softfloat'], [1, 16]) },
  mips: { variable: 'GOMIPS', levels: range(FLOAT) },
  mipsle: { variable: 'GOMIPS', levels: range(FLOAT) },
  mips64: { variable: 'GOMIPS64', levels: range(FLOAT) },
  mips64le: { variable: 'GOMIPS64', levels: range(FLOAT) },
  ppc64: { variable: 'GOPPC64', levels: [...range(['power8', 'power9']), ...range(['power10'], [1, 21])] },
  ppc64le: { variable: 'GOPPC64', levels: [...range(['power8', 'power9']), ...range(['power10'], [1, 21])] },
  arm64: {
    variable: 'GOARM64',
    levels: range(ARM64_LEVELS, [1, 23]),
    features: { names: ['lse', 'crypto'], since: [1, 23], exclusive: false },
  },
  riscv64: {
    variable: 'GORISCV64',
    levels: [...range(['rva20u64', 'rva22u64'], [1, 23]), ...range(['rva23u64'], [1, 25])],
  },
  wasm: {
    variable: 'GOWASM',
    levels: [],
    features: { names: ['satconv', 'signext'], since: ALWAYS, exclusive: false },
  },
};

/** Every variable name Go uses for an arch variant. Removed from a build's environment unless pinned. */
export const VARIANT_VARIABLES: readonly string[] = [
  ...new Set(Object.values(RULES).map((rule) => rule.variable)),
].sort();

/** Every feature name of every variable, for "did you mean" on a feature cut off by ','. */
export const VARIANT_FEATURES: readonly string[] = [
  ...new Set(Object.values(RULES).flatMap((rule) => rule.features?.names ?? [])),
];

export function variantRule(goarch: string): VariantRule | undefined {
  return Object.hasOwn(RULES, goarch) ? RULES[goarch] : undefined;
}

export function atLeast(release: GoRelease, since: GoRelease): boolean {
  return release[0] > since[0] || (release[0] === since[0] && release[1] >= since[1]);
}

/** The levels of the arch's variable that the given Go release accepts. */
export function validVariantValues(goarch: string, release: GoRelease): string[] {
  const rule = variantRule(goarch);
  if (!rule) return [];
  if (rule.levels.length === 0)
    return rule.features && atLeast(release, rule.features.since) ? [...rule.features.names] : [];
  return rule.levels.filter((v) => atLeast(release, v.since)).map((v) => v.value);
}

/** Whether the given Go release has the arch's variable at all. */
export function releaseHasVariable(goarch: string, release: GoRelease): boolean {
  return validVariantValues(goarch, release).length > 0;
}

/** A variant as written in a target entry, split into level and features. */
export interface VariantSpelling {
  /** '' for GOWASM. */
  readonly level: string;
  readonly features: readonly string[];
}

export function splitSpelling(goarch: string, text: string): VariantSpelling {
  const parts = text.split(FEATURE_SEPARATOR);
  if (variantRule(goarch)?.levels.length === 0) return { level: '', features: parts };
  return { level: parts[0] ?? '', features: parts.slice(1) };
}

/** The value Go takes for a target entry's variant: `v8.2+crypto` → `v8.2,crypto`. */
export function goValue(text: string): string {
  return text.split(FEATURE_SEPARATOR).join(',');
}

/** The target-entry spelling of a value Go took: `7,softfloat` → `7+softfloat`. */
export function entrySpelling(value: string): string {
  return value.split(',').join(FEATURE_SEPARATOR);
}

/**
 * Why the features of a spelling are not valid for the release, or null when they are:
 * unknown names, repeats, two float ABIs, or a Go too old for features.
 */
export function featureProblem(
  goarch: string,
  spelling: VariantSpelling,
  release: GoRelease,
  goVersion: string,
): string | null {
  const rule = variantRule(goarch);
  if (!rule || spelling.features.length === 0) return null;
  const features = rule.features;
  if (!features) return `${rule.variable} takes no features, only one of its levels`;
  const unknown = spelling.features.filter((f) => !features.names.includes(f));
  if (unknown.length > 0) {
    return `${unknown.map((f) => `'${f}'`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a ${rule.variable} feature (${features.names.join(', ')})`;
  }
  if (new Set(spelling.features).size !== spelling.features.length) return `a feature is named twice`;
  if (features.exclusive && spelling.features.length > 1) {
    return `${rule.variable} takes one of ${features.names.join(' or ')}, not both`;
  }
  if (!atLeast(release, features.since)) {
    return `${goVersion} takes no ${rule.variable} features (they need Go ${features.since.join('.')})`;
  }
  return null;
}

function arm64Level(level: string): [number, number] | null {
  const match = /^v(\d+)\.(\d+)$/.exec(level);
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/** The features a level turns on by itself: GOARM 5 is soft float, 6 and 7 hard; GOARM64 v8.1 and up have LSE. */
function impliedFeatures(variable: string, level: string): string[] {
  if (variable === 'GOARM') return [level === '5' ? 'softfloat' : 'hardfloat'];
  if (variable === 'GOARM64') {
    const v = arm64Level(level);
    return v !== null && (v[0] > 8 || v[1] >= 1) ? ['lse'] : [];
  }
  return [];
}

interface Meaning {
  readonly level: string;
  /** Explicit and implied, sorted. */
  readonly features: readonly string[];
  /** Named beyond what the level implies, sorted. */
  readonly extra: readonly string[];
}

function meaningOf(variable: string, value: string): Meaning {
  const parts = value.split(',').filter((p) => p !== '');
  const levelless = variable === 'GOWASM';
  const level = levelless ? '' : (parts[0] ?? '');
  const named = levelless ? parts : parts.slice(1);
  const implied = impliedFeatures(variable, level);
  // GOARM's float ABI is one choice: a named one replaces the implied one.
  const base = variable === 'GOARM' && named.some((f) => FLOAT.includes(f)) ? [] : implied;
  const features = [...new Set([...base, ...named])].sort();
  const extra = features.filter((f) => !implied.includes(f));
  return { level, features, extra };
}

/**
 * One string per meaning: `7` and `7,hardfloat` are both `7,hardfloat`; `v8.1` and `v8.1,lse`
 * are both `v8.1,lse`; feature order does not matter. Build info records the value as typed,
 * so verification and de-duplication compare this.
 */
export function variantMeaning(variable: string, value: string): string {
  const m = meaningOf(variable, value);
  return [m.level, ...m.features].filter((p) => p !== '').join(',');
}

/**
 * How a variant appears in a file name: the level and the features it does not imply,
 * e.g. `-v7` for GOARM 7 (and 7,hardfloat), `-v6-softfloat`, `-v8.2-crypto`, `-v3`, `-power9`.
 */
export function variantSuffix(variable: string, value: string): string {
  const m = meaningOf(variable, value);
  const level = m.level === '' ? [] : [variable === 'GOARM' ? `v${m.level}` : m.level];
  const parts = [...level, ...m.extra];
  return parts.length === 0 ? '' : `-${parts.join('-')}`;
}

/**
 * Arch variant variables: which environment variable selects the instruction-set level of a
 * GOARCH, and which values Go accepts for it. This mirrors Go's own rules
 * (cmd/go/internal/cfg.GetArchEnv and internal/buildcfg); whether a given toolchain knows a
 * variable at all is asked of that toolchain (`go env -json` lists it for the GOARCH).
 */

export interface VariantRule {
  /** GOARM, GOAMD64, … */
  readonly variable: string;
  readonly values: readonly { value: string; since: GoRelease }[];
}

/** [major, minor] of a Go release, e.g. [1, 21]. */
export type GoRelease = readonly [number, number];

const ALWAYS: GoRelease = [1, 0];

const range = (values: readonly string[], since: GoRelease = ALWAYS): VariantRule['values'] =>
  values.map((value) => ({ value, since }));

const ARM64_LEVELS = [
  ...Array.from({ length: 10 }, (_, i) => `v8.${i}`),
  ...Array.from({ length: 6 }, (_, i) => `v9.${i}`),
];

const RULES: Readonly<Record<string, VariantRule>> = {
  arm: { variable: 'GOARM', values: range(['5', '6', '7']) },
  amd64: { variable: 'GOAMD64', values: range(['v1', 'v2', 'v3', 'v4'], [1, 18]) },
  '386': { variable: 'GO386', values: range(['sse2', 'softfloat'], [1, 16]) },
  mips: { variable: 'GOMIPS', values: range(['hardfloat', 'softfloat']) },
  mipsle: { variable: 'GOMIPS', values: range(['hardfloat', 'softfloat']) },
  mips64: { variable: 'GOMIPS64', values: range(['hardfloat', 'softfloat']) },
  mips64le: { variable: 'GOMIPS64', values: range(['hardfloat', 'softfloat']) },
  ppc64: { variable: 'GOPPC64', values: [...range(['power8', 'power9']), ...range(['power10'], [1, 21])] },
  ppc64le: { variable: 'GOPPC64', values: [...range(['power8', 'power9']), ...range(['power10'], [1, 21])] },
  arm64: { variable: 'GOARM64', values: range(ARM64_LEVELS, [1, 23]) },
  riscv64: {
    variable: 'GORISCV64',
    values: [...range(['rva20u64', 'rva22u64'], [1, 23]), ...range(['rva23u64'], [1, 25])],
  },
  wasm: { variable: 'GOWASM', values: range(['satconv', 'signext']) },
};

/** Every variable name Go uses for an arch variant. Removed from a build's environment unless pinned. */
export const VARIANT_VARIABLES: readonly string[] = [
  ...new Set(Object.values(RULES).map((rule) => rule.variable)),
].sort();

export function variantRule(goarch: string): VariantRule | undefined {
  return RULES[goarch];
}

function atLeast(release: GoRelease, since: GoRelease): boolean {
  return release[0] > since[0] || (release[0] === since[0] && release[1] >= since[1]);
}

/** The values of the arch's variable that the given Go release accepts. */
export function validVariantValues(goarch: string, release: GoRelease): string[] {
  const rule = RULES[goarch];
  if (!rule) return [];
  return rule.values.filter((v) => atLeast(release, v.since)).map((v) => v.value);
}

/**
 * The part of a variant value that selects the instruction-set level. Go ≥ 1.22 records a
 * defaulted GOARM as `7,hardfloat`, and GOARM64 takes `,lse`/`,crypto` suffixes.
 */
export function variantLevel(value: string): string {
  return value.split(',')[0] ?? value;
}

/** How a variant appears in a file name: `-v7` for GOARM 7, `-v3`, `-softfloat`, `-power9`. */
export function variantSuffix(variable: string, value: string): string {
  const level = variantLevel(value);
  if (level === '') return '';
  return variable === 'GOARM' ? `-v${level}` : `-${level}`;
}

/**
 * The target grammar of PRODUCT.md, as pure functions: entries separated by commas, whitespace
 * or newlines (`#` starts a comment to the end of a line); each entry is a preset
 * (`first-class`, `all`) or `GOOS/GOARCH[/VARIANT]`, where any segment may use `*` wildcards.
 */

export const PRESETS = ['first-class', 'all'] as const;
export type Preset = (typeof PRESETS)[number];

export type TargetPattern =
  | { readonly kind: 'preset'; readonly preset: Preset; readonly text: string }
  | {
      readonly kind: 'pattern';
      readonly goos: string;
      readonly goarch: string;
      /** The variant segment as written, or null when the entry names none. */
      readonly variant: string | null;
      readonly text: string;
    };

export class TargetSyntaxError extends Error {
  constructor(
    readonly entry: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'TargetSyntaxError';
  }
}

export function tokenize(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, ''))
    .flatMap((line) => line.split(/[\s,]+/))
    .filter((entry) => entry !== '');
}

const SEGMENT = /^[A-Za-z0-9_.*-]+$/;

export function parsePattern(entry: string): TargetPattern {
  const preset = PRESETS.find((p) => p === entry);
  if (preset) return { kind: 'preset', preset, text: entry };
  const segments = entry.split('/');
  if (segments.length < 2 || segments.length > 3) {
    throw new TargetSyntaxError(
      entry,
      `'${entry}' is not of the form GOOS/GOARCH or GOOS/GOARCH/VARIANT (e.g. linux/amd64, linux/arm/7), nor a preset (${PRESETS.join(', ')}).`,
    );
  }
  for (const segment of segments) {
    if (segment === '') {
      throw new TargetSyntaxError(entry, `'${entry}' has an empty segment; write GOOS/GOARCH[/VARIANT].`);
    }
    if (!SEGMENT.test(segment)) {
      throw new TargetSyntaxError(
        entry,
        `'${entry}' contains characters that no GOOS, GOARCH or variant has (letters, digits, '.', '_', '-' and the wildcard '*' are allowed).`,
      );
    }
  }
  const [goos, goarch, variant] = segments as [string, string, string | undefined];
  return { kind: 'pattern', goos, goarch, variant: variant ?? null, text: entry };
}

export function parseTargetList(text: string): TargetPattern[] {
  return tokenize(text).map(parsePattern);
}

/** Matches a segment written with `*` wildcards against a value. */
export function segmentMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(value);
}

/**
 * The target grammar of PRODUCT.md, as pure functions: entries separated by commas, whitespace
 * or newlines (`#` starts a comment to the end of a line); each entry is a preset
 * (`first-class`, `all`) or `GOOS/GOARCH[/VARIANT]`, where any segment may use `*` wildcards.
 * A variant's features join its level with '+' (`linux/arm64/v8.2+crypto`): ',' separates entries.
 */
import { FEATURE_SEPARATOR, VARIANT_FEATURES } from './variants.js';

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
const VARIANT_SEGMENT = /^[A-Za-z0-9_.*-]+(?:\+[A-Za-z0-9_.*-]+)*$/;

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
  for (const [i, segment] of segments.entries()) {
    if (segment === '') {
      throw new TargetSyntaxError(entry, `'${entry}' has an empty segment; write GOOS/GOARCH[/VARIANT].`);
    }
    if (!(i === 2 ? VARIANT_SEGMENT : SEGMENT).test(segment)) {
      throw new TargetSyntaxError(
        entry,
        `'${entry}' contains characters that no GOOS, GOARCH or variant has (letters, digits, '.', '_', '-', the wildcard '*' and, between a variant's level and its features, '${FEATURE_SEPARATOR}' are allowed).`,
      );
    }
  }
  const [goos, goarch, variant] = segments as [string, string, string | undefined];
  return { kind: 'pattern', goos, goarch, variant: variant ?? null, text: entry };
}

export function parseTargetList(text: string): TargetPattern[] {
  const entries = tokenize(text);
  return entries.map((entry, i) => {
    const previous = entries[i - 1];
    // `linux/arm64/v8.2,lse` splits into two entries; say how to write it instead of "not a target".
    if (previous?.includes('/') && VARIANT_FEATURES.includes(entry)) {
      const joined = `${previous}${FEATURE_SEPARATOR}${entry}`;
      const variant = previous.split('/').length === 3;
      throw new TargetSyntaxError(
        `${previous},${entry}`,
        `',' and spaces separate targets, so '${entry}' was read as a target of its own; ${variant ? `did you mean '${joined}'?` : `a feature follows a variant level, e.g. '${previous}/<level>${FEATURE_SEPARATOR}${entry}'.`} Join a variant's features to its level with '${FEATURE_SEPARATOR}'.`,
      );
    }
    return parsePattern(entry);
  });
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

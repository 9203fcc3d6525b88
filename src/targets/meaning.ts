// Targets by what they build: two spellings whose pinned variants mean the same (linux/arm and
// linux/arm/7 on a toolchain whose GOARM default is 7) are one binary, one file, one artifact.
import type { ResolvedTarget } from './resolve.js';
import { variantMeaning } from './variants.js';

/** GOOS, GOARCH and what the pinned variant means: equal for two targets exactly when they build one binary. */
export function buildMeaning(t: ResolvedTarget): string {
  const variant = t.pinnedVariant ? variantMeaning(t.pinnedVariant.variable, t.pinnedVariant.value) : '';
  return `${t.goos}/${t.goarch}/${variant}`;
}

export interface Deduplicated {
  /** One target per meaning, in the place of its first spelling; a spelling that names the variant wins. */
  readonly kept: ResolvedTarget[];
  /** By kept target id: the other spellings merged into it. */
  readonly aliases: ReadonlyMap<string, readonly string[]>;
}

export function dedupeTargets(targets: readonly ResolvedTarget[]): Deduplicated {
  const kept: ResolvedTarget[] = [];
  const spellings: string[][] = [];
  const at = new Map<string, number>();
  for (const t of targets) {
    const meaning = buildMeaning(t);
    const i = at.get(meaning);
    if (i === undefined) {
      at.set(meaning, kept.length);
      kept.push(t);
      spellings.push([t.id]);
      continue;
    }
    if (!spellings[i]?.includes(t.id)) spellings[i]?.push(t.id);
    if (t.variant !== null && kept[i]?.variant === null) kept[i] = t;
  }
  const aliases = new Map<string, string[]>();
  kept.forEach((t, i) => {
    const others = (spellings[i] ?? []).filter((id) => id !== t.id);
    if (others.length > 0) aliases.set(t.id, others);
  });
  return { kept, aliases };
}

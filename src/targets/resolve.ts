import { defaultVariant } from '../go/toolchain.js';
import type { RequestedTarget } from './expand.js';
import { targetId } from './expand.js';
import { goValue, variantRule } from './variants.js';

/** A target with the toolchain's defaults resolved. */
export interface ResolvedTarget extends RequestedTarget {
  /** `linux/amd64`, or `linux/amd64/v3` when the variant was named. */
  readonly id: string;
  /** The arch's variant variable and pinned value (named or the toolchain default), if the arch has one. */
  readonly pinnedVariant: { readonly variable: string; readonly value: string } | null;
}

/**
 * Pins every target's variant: the named value, or the toolchain's own default for that
 * GOOS/GOARCH (asked once per pair, a few at a time).
 */
export async function resolveTargets(
  requested: readonly RequestedTarget[],
  cwd: string,
  env: Record<string, string>,
): Promise<ResolvedTarget[]> {
  const pairs = [...new Set(requested.map((t) => `${t.goos}/${t.goarch}`))];
  const defaults = new Map<string, { variable: string; value: string } | undefined>();
  const queue = [...pairs];
  const worker = async (): Promise<void> => {
    for (let pair = queue.shift(); pair !== undefined; pair = queue.shift()) {
      const [goos, goarch] = pair.split('/') as [string, string];
      defaults.set(pair, await defaultVariant(goos, goarch, cwd, env));
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, pairs.length) }, worker));
  return pinVariants(requested, defaults);
}

/** The named variant, else the toolchain's default for the pair (`defaults`, by `goos/goarch`). */
export function pinVariants(
  requested: readonly RequestedTarget[],
  defaults: ReadonlyMap<string, { variable: string; value: string } | undefined>,
): ResolvedTarget[] {
  return requested.map((t) => {
    const toolchainDefault = defaults.get(`${t.goos}/${t.goarch}`);
    const variable = toolchainDefault?.variable ?? variantRule(t.goarch)?.variable;
    const value = t.variant !== null ? goValue(t.variant) : toolchainDefault?.value;
    return {
      ...t,
      id: targetId(t),
      pinnedVariant: variable !== undefined && value !== undefined ? { variable, value } : null,
    };
  });
}

// `size-budget`: how much a binary may grow over the same target of the previous release.
import { InputError } from '../options/errors.js';

export type SizeBudget =
  | { readonly kind: 'percent'; readonly percent: number; readonly text: string }
  | { readonly kind: 'bytes'; readonly bytes: number; readonly text: string };

/** Binary units as Go's GOMEMLIMIT spells them, and the SI ones (kB, not KB or kb). */
const UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  kB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
};

const FORM = /^\+?(\d+(?:\.\d+)?)(%|B|KiB|MiB|GiB|kB|MB|GB)$/;

/** '' → no budget; `+5%`, `+2MiB`, `+500kB` (the '+' may be left out). Units are case-sensitive. */
export function parseSizeBudget(value: string): SizeBudget | null {
  const text = value.trim();
  if (text === '') return null;
  const match = FORM.exec(text);
  const amount = Number(match?.[1]);
  const unit = match?.[2];
  if (match === null || unit === undefined || !Number.isFinite(amount)) {
    throw new InputError(
      'size-budget',
      value,
      "Use the growth allowed over the previous release as a percentage or a size, e.g. '+5%', '+2MiB' or '+500kB'; units are B, KiB, MiB, GiB (1024) and kB, MB, GB (1000), spelt exactly so, with no space.",
    );
  }
  const shown = `+${match[1]}${unit}`;
  if (unit === '%') return { kind: 'percent', percent: amount, text: shown };
  return { kind: 'bytes', bytes: Math.floor(amount * (UNITS[unit] ?? 1)), text: shown };
}

/** The largest size within budget for a binary that was `previous` bytes. */
export function allowedSize(budget: SizeBudget, previous: number): number {
  return budget.kind === 'percent'
    ? Math.floor(previous * (1 + budget.percent / 100))
    : previous + budget.bytes;
}

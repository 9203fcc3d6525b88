// How a size and its change read in the summary and the table: `8.1 MiB (+120.0 KiB, +1.5%)`.
import type { SizeChange, SizeReport } from '../report/manifest.js';
import { formatBytes } from '../report/format.js';

export function formatSizeChange(size: number | null, change: SizeChange | undefined): string {
  const now = formatBytes(size);
  if (size === null || change === undefined) return now;
  if (change.previous === null || change.change === null) return `${now} (new)`;
  if (change.change === 0) return `${now} (unchanged)`;
  const sign = change.change > 0 ? '+' : '-';
  const percent =
    change.previous === 0
      ? ''
      : `, ${sign}${((Math.abs(change.change) / change.previous) * 100).toFixed(1)}%`;
  return `${now} (${sign}${formatBytes(Math.abs(change.change))}${percent})`;
}

/** `Sizes against release v1.2.0, size-budget +5%.`, or why they were not compared. */
export function sizeLine(report: SizeReport): string {
  const budget = report.budget === null ? '' : `, size-budget ${report.budget}`;
  if (report.baseline !== null) return `Sizes against ${report.baseline}${budget}.`;
  return `Sizes not compared${budget}: ${report.note ?? 'no baseline'}.`;
}

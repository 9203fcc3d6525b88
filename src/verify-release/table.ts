// The verification as a table, one row per asset, then each problem naming its asset.
import type { ReleaseVerification } from './types.js';

export function renderVerification(v: ReleaseVerification): string {
  const rows = [['ASSET', 'TARGET', 'CHECKSUM', 'BINARY', 'SBOM', 'SLICES', 'RESULT']];
  for (const r of v.rows) {
    rows.push([
      r.asset,
      r.target ?? '-',
      r.checksum,
      r.binary,
      r.sbom,
      r.slices,
      r.problems.length > 0 ? 'FAILED' : r.notes.length > 0 ? 'not checked' : 'ok',
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  for (const r of v.rows) for (const p of [...r.problems, ...r.notes]) lines.push(`${r.asset}: ${p}`);
  const failed = v.rows.filter((r) => r.problems.length > 0).map((r) => r.asset);
  lines.push(
    failed.length === 0
      ? `${v.subject}: all ${v.rows.length} asset(s) verified`
      : `${v.subject}: ${failed.length} of ${v.rows.length} asset(s) failed verification: ${failed.join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}

import path from 'node:path';
import type { Manifest } from './manifest.js';
import { isFailure } from './manifest.js';
import { formatBytes, formatSeconds } from './format.js';

const STATUS_ICON: Record<string, string> = {
  ok: '✅ ok',
  'build-failed': '❌ build failed',
  'verify-failed': '❌ verify failed',
  'smoke-failed': '❌ smoke failed',
  skipped: '⏭️ skipped',
};

/** Escapes a value for a GitHub markdown table cell. */
function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
    .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}

export interface Totals {
  requested: number;
  built: number;
  failed: number;
  verified: number;
  skipped: number;
}

export function totals(manifest: Manifest): Totals {
  const a = manifest.artifacts;
  return {
    requested: a.length,
    built: a.filter((x) => x.path !== null).length,
    failed: a.filter((x) => isFailure(x.status)).length,
    verified: a.filter((x) => x.verify?.ok === true).length,
    skipped: a.filter((x) => x.status === 'skipped').length,
  };
}

/** The job summary: one markdown table, a row per target, then totals. Plain GitHub markdown only. */
export function renderSummary(manifest: Manifest): string {
  const t = totals(manifest);
  const lines = [
    '## go-build-matrix',
    '',
    `${manifest.go.version} · module \`${cell(manifest.module)}\` · version \`${cell(manifest.version)}\`` +
      (manifest.commit ? ` · commit \`${manifest.commit.slice(0, 12)}\`` : ''),
    '',
    '| target | file | size | time | status |',
    '|---|---|--:|--:|---|',
  ];
  for (const a of manifest.artifacts) {
    const file = a.path === null ? '–' : `\`${cell(path.posix.basename(a.path))}\``;
    const status = STATUS_ICON[a.status] ?? a.status;
    const detail = a.error ? ` — ${cell(a.error.split('\n')[0] ?? '')}` : '';
    lines.push(
      `| \`${cell(a.target)}\` | ${file} | ${formatBytes(a.size)} | ${formatSeconds(a.buildSeconds)} | ${status}${detail} |`,
    );
  }
  lines.push(
    '',
    `**${t.built}/${t.requested} built**, ${t.failed} failed` +
      (t.skipped > 0 ? `, ${t.skipped} skipped` : '') +
      '.',
    '',
  );
  return lines.join('\n');
}

/** The same table for a terminal: aligned plain-text columns. */
export function renderTable(manifest: Manifest): string {
  const rows = [['TARGET', 'FILE', 'SIZE', 'TIME', 'STATUS']];
  for (const a of manifest.artifacts) {
    rows.push([
      a.target,
      a.path ?? '-',
      formatBytes(a.size),
      formatSeconds(a.buildSeconds),
      a.status + (a.error ? `: ${a.error.split('\n')[0] ?? ''}` : ''),
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const t = totals(manifest);
  return [
    ...rows.map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    ),
    '',
    `${t.built}/${t.requested} built, ${t.failed} failed${t.skipped > 0 ? `, ${t.skipped} skipped` : ''} (${manifest.go.version})`,
  ].join('\n');
}

import path from 'node:path';
import type { ArtifactEntry, CacheRecord, Manifest, SmokeRecord } from './manifest.js';
import { isFailure } from './manifest.js';
import { formatBytes, formatFloor, formatSeconds } from './format.js';

const STATUS_ICON: Record<string, string> = {
  ok: '✅ ok',
  'build-failed': '❌ build failed',
  'verify-failed': '❌ verify failed',
  'smoke-failed': '❌ smoke failed',
  skipped: '⏭️ skipped',
};

/** Plain text for a GitHub markdown table cell: markdown punctuation escaped, HTML as entities, one line. */
export function cellText(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** A code span in a table cell. Backslashes are literal inside code spans, so only `|` needs
 *  escaping (GFM splits cells first); a value holding backticks gets a longer fence. */
export function cellCode(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
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

/** The target as asked for, plus the variant value that was pinned when it named none. */
function targetCell(a: ArtifactEntry): string {
  const pinned = Object.entries(a.env).filter(([k]) => !['GOOS', 'GOARCH', 'CGO_ENABLED'].includes(k));
  const named = a.target.split('/').length > 2;
  const variant = named ? '' : pinned.map(([k, v]) => ` (${cellText(`${k}=${v}`)})`).join('');
  return `${cellCode(a.target)}${variant}`;
}

function verifyCell(a: ArtifactEntry): string {
  if (a.verify === null) return '–';
  const what = [a.verify.format, a.verify.machine].filter((x) => x !== null).join(' ');
  return `${a.verify.ok ? '✅' : '❌'}${what ? ` ${cellText(what)}` : ''}`;
}

function linkageCell(a: ArtifactEntry): string {
  if (a.verify?.linkage == null) return '–';
  return cellText(a.verify.glibc ? `${a.verify.linkage}, GLIBC ${a.verify.glibc}` : a.verify.linkage);
}

function runsOnCell(a: ArtifactEntry): string {
  const floor = formatFloor(a.verify);
  return floor === null ? '–' : cellText(floor);
}

function smokeCell(smoke: SmokeRecord | null): string {
  if (smoke === null) return '–';
  if (!smoke.ran) return `⏭️ skipped${smoke.reason ? ` (${cellText(smoke.reason)})` : ''}`;
  const via = smoke.via ? ` (${cellText(smoke.via)})` : '';
  if (smoke.timedOut) return `❌ timed out${via}`;
  return smoke.exitCode === 0 ? `✅ passed${via}` : `❌ exit ${smoke.exitCode ?? '?'}${via}`;
}

function cacheLine(cache: CacheRecord | null): string {
  if (cache === null) return 'Cache: not used.';
  const hit =
    cache.hit === 'true' ? 'hit' : cache.hit === 'partial' ? 'partial hit (a restore key matched)' : 'miss';
  return `Cache: ${hit}, restored ${formatBytes(cache.restoredBytes)}, saved ${formatBytes(cache.savedBytes)}.`;
}

/** The job summary: one markdown table, a row per target, then totals. Plain GitHub markdown only. */
export function renderSummary(manifest: Manifest): string {
  const t = totals(manifest);
  const verifying = manifest.artifacts.some((a) => a.verify !== null);
  const lines = [
    '## go-build-matrix',
    '',
    `${cellText(manifest.go.version)} · module ${cellCode(manifest.module)} · version ${cellCode(manifest.version)}` +
      (manifest.commit ? ` · commit ${cellCode(manifest.commit.slice(0, 12))}` : ''),
    '',
    '| target | file | size | sha256 | time | verify | linkage | runs on | smoke | status |',
    '|---|---|--:|---|--:|---|---|---|---|---|',
  ];
  for (const a of manifest.artifacts) {
    const status = STATUS_ICON[a.status] ?? cellText(a.status);
    const detail = a.error ? ` — ${cellText(a.error.split('\n')[0] ?? '')}` : '';
    lines.push(
      [
        '',
        targetCell(a),
        a.path === null ? '–' : cellCode(path.posix.basename(a.path)),
        formatBytes(a.size),
        a.sha256 === null ? '–' : cellCode(a.sha256.slice(0, 12)),
        formatSeconds(a.buildSeconds),
        verifyCell(a),
        linkageCell(a),
        runsOnCell(a),
        smokeCell(a.smoke),
        `${status}${detail}`,
        '',
      ]
        .join(' | ')
        .trim(),
    );
  }
  lines.push(
    '',
    `**${t.built}/${t.requested} built**, ${t.failed} failed` +
      (t.skipped > 0 ? `, ${t.skipped} skipped` : '') +
      '.' +
      (verifying ? ` ${t.verified}/${t.requested} verified.` : ' Verification was off.'),
    '',
    cacheLine(manifest.cache),
    '',
  );
  return lines.join('\n');
}

/** The same table for a terminal: aligned plain-text columns. */
export function renderTable(manifest: Manifest): string {
  const rows = [['TARGET', 'FILE', 'SIZE', 'TIME', 'RUNS ON', 'STATUS']];
  for (const a of manifest.artifacts) {
    rows.push([
      a.target,
      a.path ?? '-',
      formatBytes(a.size),
      formatSeconds(a.buildSeconds),
      formatFloor(a.verify) ?? '-',
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

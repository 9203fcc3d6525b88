import path from 'node:path';
import type { ArtifactEntry, CacheRecord, Manifest, SigningRecord, SmokeRecord } from './manifest.js';
import { describeFinding } from '../vulncheck/describe.js';
import { hasVulncheck, importedFindings, reachableFindings, vulnCount } from './vulns.js';
import type { ReleaseOutcome } from '../release/index.js';
import { isFailure } from './manifest.js';
import { describeSigning, formatBytes, formatFloor, formatSeconds, formatSignature } from './format.js';
import { formatSizeChange, sizeLine } from '../size/format.js';

const STATUS_ICON: Record<string, string> = {
  ok: '✅ ok',
  'build-failed': '❌ build failed',
  'verify-failed': '❌ verify failed',
  'smoke-failed': '❌ smoke failed',
  'size-failed': '❌ size failed',
  'vulncheck-failed': '❌ known vulnerability',
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
  const what = verified(a);
  return `${a.verify.ok ? '✅' : '❌'}${what ? ` ${cellText(what)}` : ''}`;
}

/** What was proven of the file: "macho arm64, signature: adhoc". */
function verified(a: ArtifactEntry): string {
  if (a.verify === null) return '';
  const what = [a.verify.format, a.verify.machine].filter((x) => x !== null).join(' ');
  const signature = formatSignature(a.verify);
  return signature === null ? what : `${what}, ${signature}`;
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

function plainSmoke(smoke: SmokeRecord | null): string {
  if (smoke === null) return '-';
  if (!smoke.ran) return 'skipped';
  const via = smoke.via ? ` (${smoke.via})` : '';
  if (smoke.timedOut) return `timed out${via}`;
  return smoke.exitCode === 0 ? `passed${via}` : `exit ${smoke.exitCode ?? '?'}${via}`;
}

/** ` 14 smoke tests passed, 2 skipped.`, or nothing when no smoke test was asked for. */
function smokeTotals(manifest: Manifest): string {
  const smoked = manifest.artifacts.flatMap((a) => (a.smoke === null ? [] : [a.smoke]));
  if (smoked.length === 0) return '';
  const passed = smoked.filter((s) => s.ran && !s.timedOut && s.exitCode === 0).length;
  const skipped = smoked.filter((s) => !s.ran).length;
  const failedRuns = smoked.length - passed - skipped;
  const parts = [
    `${passed} passed`,
    ...(failedRuns > 0 ? [`${failedRuns} failed`] : []),
    ...(skipped > 0 ? [`${skipped} skipped`] : []),
  ];
  return ` Smoke tests: ${parts.join(', ')}.`;
}

/** One true sentence about the cache in every state the run can be in. */
export function cacheLine(cache: CacheRecord | null): string {
  if (cache === null || cache.use === 'off') return 'Cache: off (cache: false), nothing restored or saved.';
  if (cache.use === 'local')
    return "Cache: Go's own build cache on this machine (outside GitHub Actions nothing is restored or saved).";
  if (cache.use === 'unavailable')
    return 'Cache: the Actions cache service was not available, so nothing was restored or saved.';
  if (cache.reused !== undefined)
    return `Cache: hit, ${cache.reused} binar${cache.reused === 1 ? 'y' : 'ies'} of an earlier run taken as built (${formatBytes(cache.restoredBytes)}): nothing Go reads had changed, so nothing was compiled or saved.`;
  const hit =
    cache.hit === 'true' ? 'hit' : cache.hit === 'partial' ? 'partial hit (a restore key matched)' : 'miss';
  const restored =
    cache.hit === 'false' ? 'nothing restored' : `restored ${formatBytes(cache.restoredBytes)}`;
  if (cache.use === 'restore-only') return `Cache: ${hit}, ${restored}; not saved (cache: restore-only).`;
  const saved = cache.savedBytes > 0 ? `saved ${formatBytes(cache.savedBytes)}` : 'nothing saved';
  return `Cache: ${hit}, ${restored}, ${saved}.`;
}

/** The verification sentence: only what is true of the files that were built. */
export function verifyLine(manifest: Manifest, t: { verified: number; requested: number }): string {
  const built = manifest.artifacts.filter((a) => a.path !== null);
  if (built.length === 0) return 'Nothing was built, so nothing was verified.';
  if (built.every((a) => a.verify === null)) return 'Verification was off.';
  return `${t.verified}/${t.requested} verified.`;
}

/** Whether `reproducible: check` ran: only then do the table and summary have its column. */
function reproduceChecked(manifest: Manifest): boolean {
  return (
    manifest.reproduceSeconds !== undefined || manifest.artifacts.some((a) => a.reproducible !== undefined)
  );
}

/** 'yes', 'no: <cause>' or '-' (not built); `text` escapes the cause for its table. */
function reproducedText(a: ArtifactEntry, text: (t: string) => string): string {
  if (a.reproducible === undefined) return '-';
  return a.reproducible.same ? 'yes' : `no: ${text(a.reproducible.cause ?? 'differs')}`;
}

/** The job summary: one markdown table, a row per target, then totals. Plain GitHub markdown only. */
export function renderSummary(manifest: Manifest): string {
  const t = totals(manifest);
  // The vulns column only when govulncheck ran: older manifests and `vulncheck: off` keep the table as it was.
  const vulns = hasVulncheck(manifest);
  const checked = reproduceChecked(manifest);
  const lines = [
    '## go-build-matrix',
    '',
    `${cellText(manifest.go.version)} · module ${cellCode(manifest.module)} · version ${cellCode(manifest.version)}` +
      (manifest.commit ? ` · commit ${cellCode(manifest.commit.slice(0, 12))}` : ''),
    '',
    `| target | file | size | sha256 | time | verify | linkage | runs on | smoke | ${vulns ? 'vulns | ' : ''}${checked ? 'reproduced | ' : ''}status |`,
    `|---|---|--:|---|--:|---|---|---|---|${vulns ? '---|' : ''}${checked ? '---|' : ''}---|`,
  ];
  for (const a of manifest.artifacts) {
    const status = STATUS_ICON[a.status] ?? cellText(a.status);
    const detail = a.error ? ` — ${cellText(a.error.split('\n')[0] ?? '')}` : '';
    lines.push(
      [
        '',
        targetCell(a),
        a.path === null ? '–' : cellCode(path.posix.basename(a.path)),
        cellText(formatSizeChange(a.size, a.sizeChange)),
        a.sha256 === null ? '–' : cellCode(a.sha256.slice(0, 12)),
        formatSeconds(a.buildSeconds),
        verifyCell(a),
        linkageCell(a),
        runsOnCell(a),
        smokeCell(a.smoke),
        ...(vulns ? [cellText(vulnCount(a))] : []),
        ...(checked ? [reproducedText(a, cellText)] : []),
        `${status}${detail}`,
        '',
      ]
        .join(' | ')
        .trim(),
    );
  }
  const signed = manifest.artifacts.filter((a) => a.signing !== undefined && a.status === 'ok');
  if (signed.length > 0) {
    lines.push('', '| signed | with | subject | issuer | serial | timestamp |', '|---|---|---|---|---|---|');
    for (const a of signed) {
      const s = a.signing as SigningRecord;
      lines.push(
        `| ${cellCode(a.target)} | ${cellText(`${s.kind}, ${s.tool}${s.notarization == null ? '' : `, notarized (${s.notarization})`}`)} | ${cellText(s.subject)} | ${cellText(s.issuer)} | ${cellCode(s.serial)} | ${s.timestamp === null ? 'none' : cellText(`${s.timestamp} (${s.timestampUrl ?? ''})`)} |`,
      );
    }
  }
  const reachable = reachableFindings(manifest);
  const imported = importedFindings(manifest);
  if (reachable.length + imported.length > 0) {
    lines.push('', '| known vulnerabilities | target | in the binary |', '|---|---|---|');
    for (const { a, f } of reachable) {
      lines.push(
        `| [${cellText(f.id)}](https://pkg.go.dev/vuln/${f.id}) | ${cellCode(a.target)} | reachable: ${cellText(describeFinding(f))} |`,
      );
    }
    for (const { a, ids } of imported) {
      lines.push(`| ${cellText(ids)} | ${cellCode(a.target)} | imported, not reachable |`);
    }
  }
  lines.push(
    '',
    `**${t.built}/${t.requested} built**, ${t.failed} failed` +
      (t.skipped > 0 ? `, ${t.skipped} skipped` : '') +
      '.' +
      ` ${verifyLine(manifest, t)}`,
    '',
    cacheLine(manifest.cache),
    '',
    ...(manifest.size ? [cellText(sizeLine(manifest.size)), ''] : []),
  );
  return lines.join('\n');
}

/** The same table for a terminal: aligned plain-text columns, with what was proven for each file. */
export function renderTable(manifest: Manifest): string {
  const vulns = hasVulncheck(manifest);
  const checked = reproduceChecked(manifest);
  const rows = [
    [
      'TARGET',
      'FILE',
      'SIZE',
      'TIME',
      'VERIFY',
      'LINKAGE',
      'RUNS ON',
      'SMOKE',
      ...(vulns ? ['VULNS'] : []),
      ...(checked ? ['REPRODUCED'] : []),
      'STATUS',
    ],
  ];
  for (const a of manifest.artifacts) {
    rows.push([
      a.target,
      a.path ?? '-',
      formatSizeChange(a.size, a.sizeChange),
      formatSeconds(a.buildSeconds),
      a.verify === null ? '-' : `${a.verify.ok ? 'ok' : 'FAILED'} ${verified(a)}`.trim(),
      a.verify?.linkage == null
        ? '-'
        : a.verify.glibc
          ? `${a.verify.linkage} GLIBC ${a.verify.glibc}`
          : a.verify.linkage,
      formatFloor(a.verify) ?? '-',
      plainSmoke(a.smoke),
      ...(vulns ? [vulnCount(a)] : []),
      ...(checked ? [reproducedText(a, (t) => t)] : []),
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
    ...manifest.artifacts.flatMap((a) =>
      a.signing && a.status === 'ok' ? [`signed ${a.target}: ${describeSigning(a.signing)}`] : [],
    ),
    ...reachableFindings(manifest).map(({ a, f }) => `vulnerable ${a.target}: ${describeFinding(f)}`),
    ...importedFindings(manifest).map(({ a, ids }) => `imported, not reachable ${a.target}: ${ids}`),
    '',
    `${t.built}/${t.requested} built, ${t.failed} failed${t.skipped > 0 ? `, ${t.skipped} skipped` : ''} (${manifest.go.version}). ${verifyLine(manifest, t)}${smokeTotals(manifest)}`,
    ...(manifest.size ? [sizeLine(manifest.size)] : []),
  ].join('\n');
}

/** One sentence: which release, in which state, and what this run did to its assets. */
export function releaseLine(release: ReleaseOutcome): string {
  const count = (action: string) => release.assets.filter((a) => a.action === action).length;
  const state = release.state === 'draft' ? 'a draft, not yet published' : 'published';
  return `Release ${release.tag ?? ''}: ${state}, ${release.assets.length} asset(s): ${count('added')} added, ${count('replaced')} replaced, ${count('kept')} unchanged${release.url ? ` (${release.url})` : ''}`;
}

export function renderReleaseSummary(release: ReleaseOutcome): string {
  const rows = release.assets.map(
    (a) => `| ${cellCode(a.name)} | ${a.action} | ${cellCode(a.sha256.slice(0, 12))} |`,
  );
  const title = release.url
    ? `[${cellText(release.tag ?? '')}](${release.url})`
    : cellText(release.tag ?? '');
  return [
    '',
    `### Release ${title}`,
    '',
    cellText(releaseLine(release)),
    '',
    '| asset | this run | sha256 |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

// Merging the manifests of the build legs of one run into the run's manifest. Pure.
import type { ArtifactEntry, CacheRecord, Manifest } from '../report/manifest.js';
import { TOOL } from '../version.js';

export interface MergeResult {
  manifest: Manifest;
  /** Requested targets that no leg reported. */
  missing: string[];
  /** Targets a leg reported with a status other than ok. */
  failed: string[];
}

/** Legs restore and save separately: the run hit only if every leg did. */
function mergeCache(records: readonly (CacheRecord | null)[]): CacheRecord | null {
  const present = records.filter((r): r is CacheRecord => r !== null);
  const first = present[0];
  if (first === undefined) return null;
  const hits = new Set(present.map((r) => r.hit));
  // Every leg's saves, so that collect can delete what they superseded.
  const saved = present.flatMap((r) => r.saved ?? []);
  return {
    hit: hits.size === 1 ? first.hit : 'partial',
    key: present.every((r) => r.key === first.key) ? first.key : null,
    restoredBytes: present.reduce((sum, r) => sum + r.restoredBytes, 0),
    savedBytes: present.reduce((sum, r) => sum + r.savedBytes, 0),
    ...(present.every((r) => r.use === first.use) && first.use !== undefined ? { use: first.use } : {}),
    ...(saved.length > 0 ? { saved } : {}),
  };
}

/** One result per target and package. */
export function entryKey(entry: ArtifactEntry): string {
  return `${entry.target}\u0000${entry.package}`;
}

/** The run attempt a leg's manifest comes from; 0 when it did not say (outside Actions, older manifests). */
export function attemptOf(manifest: Manifest): number {
  return manifest.runAttempt ?? 0;
}

/**
 * Per target and package, the newest run attempt that reported it: a re-run leg's result
 * replaces the failed attempt's, whatever ids the artifact service gave their artifacts.
 */
export function newestAttempts(legs: readonly Manifest[]): Map<string, number> {
  const newest = new Map<string, number>();
  for (const m of legs) {
    for (const entry of m.artifacts) {
      newest.set(entryKey(entry), Math.max(newest.get(entryKey(entry)) ?? 0, attemptOf(m)));
    }
  }
  return newest;
}

/**
 * The union of the legs' artifacts, one per target and package (the newest attempt's, and within
 * it an ok entry over a failed one), ordered as requested; the rest of the manifest from the first
 * leg. A target counts as reported under any of its aliases.
 */
export function mergeManifests(legs: readonly Manifest[], requested: readonly string[]): MergeResult {
  // A leg's manifest rides in each of its per-target artifacts: count each leg once.
  const texts = legs.map((m) => JSON.stringify(m));
  const manifests = legs.filter((_, i) => texts.indexOf(texts[i] ?? '') === i);
  const byKey = new Map<string, { entry: ArtifactEntry; attempt: number }>();
  for (const m of manifests) {
    const attempt = attemptOf(m);
    for (const entry of m.artifacts) {
      const seen = byKey.get(entryKey(entry));
      if (
        seen === undefined ||
        attempt > seen.attempt ||
        (attempt === seen.attempt && seen.entry.status !== 'ok' && entry.status === 'ok')
      ) {
        byKey.set(entryKey(entry), { entry, attempt });
      }
    }
  }
  const order = (target: string) => {
    const i = requested.indexOf(target);
    return i < 0 ? requested.length : i;
  };
  // A stable sort: targets nobody requested keep the order the legs gave them, after the rest.
  const artifacts = [...byKey.values()].map((v) => v.entry).sort((a, b) => order(a.target) - order(b.target));
  const reported = new Set(artifacts.flatMap((a) => [a.target, ...(a.aliases ?? [])]));
  const attempts = [...byKey.values()].map((v) => v.attempt);
  const first = manifests[0];
  const manifest: Manifest = {
    schemaVersion: 1,
    tool: first?.tool ?? { ...TOOL },
    go: first?.go ?? { version: '', hostGoos: '', hostGoarch: '' },
    module: first?.module ?? '',
    version: first?.version ?? '',
    commit: first?.commit ?? '',
    date: first?.date ?? '',
    ...(attempts.some((a) => a > 0) ? { runAttempt: Math.max(...attempts) } : {}),
    cache: mergeCache(manifests.map((m) => m.cache)),
    // The legs ran side by side: the run's build phase is its longest leg's.
    buildPhaseSeconds: Math.max(0, ...manifests.map((m) => m.buildPhaseSeconds)),
    checksums: first?.checksums ?? null,
    artifacts,
  };
  return {
    manifest,
    missing: [...new Set(requested)].filter((t) => !reported.has(t)),
    failed: [...new Set(artifacts.filter((a) => a.status !== 'ok').map((a) => a.target))],
  };
}

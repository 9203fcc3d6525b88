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

/**
 * The union of the legs' artifacts, one per target and package (an ok entry wins over a failed
 * one, e.g. from a re-run leg), ordered as requested; the rest of the manifest from the first leg.
 */
export function mergeManifests(legs: readonly Manifest[], requested: readonly string[]): MergeResult {
  // A leg's manifest rides in each of its per-target artifacts: count each leg once.
  const texts = legs.map((m) => JSON.stringify(m));
  const manifests = legs.filter((_, i) => texts.indexOf(texts[i] ?? '') === i);
  const byKey = new Map<string, ArtifactEntry>();
  for (const entry of manifests.flatMap((m) => m.artifacts)) {
    const key = `${entry.target}\u0000${entry.package}`;
    const seen = byKey.get(key);
    if (seen === undefined || (seen.status !== 'ok' && entry.status === 'ok')) byKey.set(key, entry);
  }
  const order = (target: string) => {
    const i = requested.indexOf(target);
    return i < 0 ? requested.length : i;
  };
  // A stable sort: targets nobody requested keep the order the legs gave them, after the rest.
  const artifacts = [...byKey.values()].sort((a, b) => order(a.target) - order(b.target));
  const reported = new Set(artifacts.map((a) => a.target));
  const first = manifests[0];
  const manifest: Manifest = {
    schemaVersion: 1,
    tool: first?.tool ?? { ...TOOL },
    go: first?.go ?? { version: '', hostGoos: '', hostGoarch: '' },
    module: first?.module ?? '',
    version: first?.version ?? '',
    commit: first?.commit ?? '',
    date: first?.date ?? '',
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

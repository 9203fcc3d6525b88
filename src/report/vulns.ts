// govulncheck's findings as the summary and the table count and list them.
import type { ArtifactEntry, Manifest, VulnFinding } from './manifest.js';

export function hasVulncheck(manifest: Manifest): boolean {
  return manifest.artifacts.some((a) => a.vulncheck !== undefined);
}

/** `1 reachable, 2 imported`, `none`, `not scanned`, or `-` when the binary was not scanned at all. */
export function vulnCount(a: ArtifactEntry): string {
  const v = a.vulncheck;
  if (v === undefined) return '-';
  if (v.error !== null) return 'not scanned';
  if (v.reachable.length === 0 && v.imported.length === 0) return 'none';
  return [
    `${v.reachable.length} reachable`,
    ...(v.imported.length > 0 ? [`${v.imported.length} imported`] : []),
  ].join(', ');
}

/** Every finding of every binary: the reachable ones first. */
export function vulnFindingRows(
  manifest: Manifest,
): { a: ArtifactEntry; f: VulnFinding; reachable: boolean }[] {
  const rows = manifest.artifacts.flatMap((a) => [
    ...(a.vulncheck?.reachable ?? []).map((f) => ({ a, f, reachable: true })),
    ...(a.vulncheck?.imported ?? []).map((f) => ({ a, f, reachable: false })),
  ]);
  return [...rows.filter((r) => r.reachable), ...rows.filter((r) => !r.reachable)];
}

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

/** Every reachable finding of every binary. */
export function reachableFindings(manifest: Manifest): { a: ArtifactEntry; f: VulnFinding }[] {
  return manifest.artifacts.flatMap((a) => (a.vulncheck?.reachable ?? []).map((f) => ({ a, f })));
}

/** Per binary with imported, not reachable findings: their IDs (`GO-2022-1059, GO-2025-3956`). */
export function importedFindings(manifest: Manifest): { a: ArtifactEntry; ids: string }[] {
  return manifest.artifacts.flatMap((a) =>
    a.vulncheck && a.vulncheck.imported.length > 0
      ? [{ a, ids: a.vulncheck.imported.map((f) => f.id).join(', ') }]
      : [],
  );
}

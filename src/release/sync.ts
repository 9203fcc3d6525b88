// What a run must do to a release's assets so that they equal this build's files. Pure.
//
// A changed asset is replaced through a temporary asset `<name>.replacing-<id>` (GitHub has no
// atomic replace): its bytes are uploaded first, then the old asset is deleted and the temporary
// one renamed. A run that stops part-way leaves temporary assets; names of that form are this
// tool's own, so the next run finishes the swap when the bytes are still the ones wanted, and
// removes them otherwise.
import type { ReleaseFile } from './assets.js';

export interface RemoteAsset {
  id: number;
  name: string;
  /** 'uploaded'; 'starter' is what an interrupted upload leaves behind, blocking the name. */
  state: string;
  size: number;
  /** Hex sha256 of the uploaded bytes; null when not known (then the sizes must differ, or the bytes were read). */
  sha256: string | null;
}

export type AssetStep =
  | { kind: 'keep'; file: ReleaseFile; remote: RemoteAsset }
  /** `blocked`: a broken upload of that name, deleted first. */
  | { kind: 'add'; file: ReleaseFile; blocked: RemoteAsset | null }
  /** `successor`: a temporary asset an earlier run left with exactly these bytes, used instead of an upload. */
  | { kind: 'replace'; file: ReleaseFile; remote: RemoteAsset; successor: RemoteAsset | null }
  /** The name is gone (an earlier run deleted it and stopped): the temporary asset holding these bytes takes it. */
  | { kind: 'restore'; file: ReleaseFile; temporary: RemoteAsset; blocked: RemoteAsset | null };

export interface AssetPlan {
  steps: AssetStep[];
  /** Temporary assets of earlier runs that no step uses: removed first. */
  leftovers: RemoteAsset[];
  /** Assets of the release that this build did not make: left alone. */
  others: RemoteAsset[];
}

const TEMPORARY = /^(.+)\.replacing-(\d+)$/;

export function temporaryName(name: string, replacedId: number): string {
  return `${name}.replacing-${replacedId}`;
}

/** The asset name a temporary asset stands in for; null for any other name. */
export function temporaryFor(name: string): string | null {
  return TEMPORARY.exec(name)?.[1] ?? null;
}

export function planAssets(files: readonly ReleaseFile[], remote: readonly RemoteAsset[]): AssetPlan {
  const temporaries = remote.filter((r) => temporaryFor(r.name) !== null);
  const byName = new Map(remote.filter((r) => temporaryFor(r.name) === null).map((r) => [r.name, r]));
  const used = new Set<RemoteAsset>();
  const holding = (file: ReleaseFile): RemoteAsset | null => {
    const found = temporaries.find(
      (t) =>
        !used.has(t) &&
        t.state === 'uploaded' &&
        temporaryFor(t.name) === file.name &&
        t.sha256 === file.sha256,
    );
    if (found === undefined) return null;
    used.add(found);
    return found;
  };
  const steps = files.map((file): AssetStep => {
    const existing = byName.get(file.name);
    if (existing === undefined || existing.state !== 'uploaded') {
      const blocked = existing ?? null;
      const temporary = holding(file);
      return temporary !== null
        ? { kind: 'restore', file, temporary, blocked }
        : { kind: 'add', file, blocked };
    }
    if (existing.sha256 === file.sha256) return { kind: 'keep', file, remote: existing };
    return { kind: 'replace', file, remote: existing, successor: holding(file) };
  });
  const ours = new Set(files.map((f) => f.name));
  return {
    steps,
    leftovers: temporaries.filter((t) => !used.has(t)),
    others: [...byName.values()].filter((r) => !ours.has(r.name)),
  };
}

/** Whether the remote asset's bytes must be read to know if they equal the file's. */
export function needsBytes(file: ReleaseFile, remote: RemoteAsset): boolean {
  return remote.state === 'uploaded' && remote.sha256 === null && remote.size === file.size;
}

/** The file a remote asset (or a temporary asset standing in for it) would be compared with. */
export function fileFor(
  files: ReadonlyMap<string, ReleaseFile>,
  remote: RemoteAsset,
): ReleaseFile | undefined {
  return files.get(temporaryFor(remote.name) ?? remote.name);
}

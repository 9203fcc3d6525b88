// What a run must do to a release's assets so that they equal this build's files. Pure.
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
  | { kind: 'replace'; file: ReleaseFile; remote: RemoteAsset };

export interface AssetPlan {
  steps: AssetStep[];
  /** Assets of the release that this build did not make: left alone. */
  others: RemoteAsset[];
}

export function planAssets(files: readonly ReleaseFile[], remote: readonly RemoteAsset[]): AssetPlan {
  const byName = new Map(remote.map((r) => [r.name, r]));
  const steps = files.map((file): AssetStep => {
    const existing = byName.get(file.name);
    if (existing === undefined) return { kind: 'add', file, blocked: null };
    if (existing.state !== 'uploaded') return { kind: 'add', file, blocked: existing };
    if (existing.sha256 === file.sha256) return { kind: 'keep', file, remote: existing };
    return { kind: 'replace', file, remote: existing };
  });
  const ours = new Set(files.map((f) => f.name));
  return { steps, others: remote.filter((r) => !ours.has(r.name)) };
}

/** Whether the remote asset's bytes must be read to know if they equal the file's. */
export function needsBytes(file: ReleaseFile, remote: RemoteAsset): boolean {
  return remote.state === 'uploaded' && remote.sha256 === null && remote.size === file.size;
}

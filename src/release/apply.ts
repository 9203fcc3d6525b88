// Makes a release's assets equal this build's files, in the order that keeps a published release
// whole: uploads first (when GitHub refuses one, as for an immutable release, nothing has changed
// yet), and a replaced asset is missing only between its delete and the rename of its successor.
import type { Logger } from '../log.js';
import type { Release, ReleaseApi } from './remote.js';
import type { AssetPlan, AssetStep, RemoteAsset } from './sync.js';
import { temporaryName } from './sync.js';

export interface AssetRecord {
  name: string;
  sha256: string;
  /** What this run did with it. */
  action: 'kept' | 'added' | 'replaced';
}

/** What a run that stopped part-way leaves on the release, for its error message. */
export class Progress {
  /** Asset names the release lacks right now although it held them (deleted, successor not renamed yet). */
  readonly missing = new Set<string>();
  /** Temporary assets this run uploaded and has not renamed. */
  readonly temporaries = new Set<string>();

  describe(release: Release): string {
    const parts = [
      ...(this.missing.size > 0 ? [`lacks ${[...this.missing].join(', ')}`] : []),
      ...(this.temporaries.size > 0
        ? [`holds the temporary asset(s) ${[...this.temporaries].join(', ')}`]
        : []),
    ];
    const state = release.draft
      ? 'The release is still a draft, which nobody sees as released'
      : 'The published release';
    const what =
      parts.length > 0
        ? `${state}${release.draft ? ', and' : ''} ${parts.join(' and ')}`
        : release.draft
          ? state
          : `${state} holds every asset it held before`;
    return `${what}; re-run the job: the next run finishes from there.`;
  }
}

export async function applyPlan(
  api: ReleaseApi,
  release: Release,
  plan: AssetPlan,
  progress: Progress,
  log: Logger,
): Promise<AssetRecord[]> {
  const records = new Map<string, AssetRecord>();
  const record = (step: AssetStep, action: AssetRecord['action']) =>
    records.set(step.file.name, { name: step.file.name, sha256: step.file.sha256, action });
  for (const step of plan.steps) if (step.kind === 'keep') record(step, 'kept');

  const unblock = async (blocked: RemoteAsset | null, name: string) => {
    if (blocked === null) return;
    log.info(`Release asset ${name}: removing an unfinished upload (state ${blocked.state}).`);
    await api.deleteAsset(blocked);
  };
  // A name an earlier run left missing comes back first.
  for (const step of plan.steps) {
    if (step.kind !== 'restore') continue;
    log.info(
      `Release asset ${step.file.name}: an earlier run replaced it part-way; ${step.temporary.name} holds its bytes and takes its name.`,
    );
    await unblock(step.blocked, step.file.name);
    await api.renameAsset(step.temporary, step.file.name);
    record(step, 'replaced');
  }
  // Before any upload: a leftover may hold the temporary name this run is about to use.
  for (const leftover of plan.leftovers) {
    log.info(`Release asset ${leftover.name}: removing what an earlier run left part-way.`);
    await api.deleteAsset(leftover);
  }
  for (const step of plan.steps) {
    if (step.kind !== 'add') continue;
    await unblock(step.blocked, step.file.name);
    await api.upload(release, step.file, step.file.name);
    record(step, 'added');
  }
  const swaps: { step: AssetStep & { kind: 'replace' }; successor: RemoteAsset }[] = [];
  for (const step of plan.steps) {
    if (step.kind !== 'replace') continue;
    log.info(
      `Release asset ${step.file.name}: replacing it, its bytes differ (sha256 ${step.remote.sha256 ?? 'unknown'} on the release, ${step.file.sha256} here).`,
    );
    const name = temporaryName(step.file.name, step.remote.id);
    const successor = step.successor ?? (await api.upload(release, step.file, name));
    progress.temporaries.add(successor.name);
    swaps.push({ step, successor });
  }
  // Every byte is on GitHub before the first old asset goes: each name is missing for one call.
  for (const { step, successor } of swaps) {
    await api.deleteAsset(step.remote);
    progress.missing.add(step.file.name);
    await api.renameAsset(successor, step.file.name);
    progress.missing.delete(step.file.name);
    progress.temporaries.delete(successor.name);
    record(step, 'replaced');
  }
  return plan.steps.map((s) => records.get(s.file.name) as AssetRecord);
}

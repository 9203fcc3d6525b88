// Publishing the GitHub release of the tag a run builds. A new release is created as a draft,
// receives every file, and is published last: repositories with immutable releases refuse
// uploads once a release is published, and a release must never be seen half-filled. A re-run
// keeps assets whose bytes are unchanged, adds what is new, replaces what changed where the
// release still allows it, and finishes what an earlier run left part-way.
import { msFromEnv } from '../env-knobs.js';
import type { Logger } from '../log.js';
import type { Manifest } from '../report/manifest.js';
import { isFailure } from '../report/manifest.js';
import type { ReleaseMode, ReleaseNotes } from '../options/options.js';
import type { ReleaseFile } from './assets.js';
import { apiFailure, makeClient } from '../github/client.js';
import type { AssetRecord } from './apply.js';
import { applyPlan, Progress } from './apply.js';
import { checkAssetNames } from './names.js';
import type { Release } from './remote.js';
import { ReleaseApi } from './remote.js';
import type { AssetStep, RemoteAsset } from './sync.js';
import { fileFor, needsBytes, planAssets } from './sync.js';
import { isSemverPrerelease, releaseTag } from './tag.js';

export { releaseFiles, writeSubjects, SUBJECTS_FILE } from './assets.js';
export type { ReleaseFile } from './assets.js';
export type { AssetRecord } from './apply.js';

export interface ReleaseRequest {
  manifest: Manifest;
  files: readonly ReleaseFile[];
  mode: Exclude<ReleaseMode, 'false'>;
  notes: ReleaseNotes;
  prerelease: 'auto' | 'true' | 'false';
  makeLatest: 'true' | 'false' | 'legacy';
  token: string;
  /** Requested targets no build delivered (collect mode): a release must hold every target. */
  missing: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
}

export interface ReleaseOutcome {
  /** skipped: no tag, nothing written for want of a permission, or a draft asked of a published release (a warning says which). */
  state: 'skipped' | 'draft' | 'published';
  tag: string | null;
  url: string | null;
  assets: AssetRecord[];
}

const SKIPPED = (tag: string | null): ReleaseOutcome => ({ state: 'skipped', tag, url: null, assets: [] });

/** The release a run works on, for the error that says what a failure left. */
interface Work {
  release: Release | null;
  progress: Progress;
}

/**
 * Creates or updates the release of the run's tag. Throws when the release cannot be made as
 * asked (a target failed, an asset of an immutable release differs, GitHub refused), saying what
 * a failure part-way left on the release; a missing permission before any write and a run on a
 * branch are a warning and a note, and return `skipped`.
 */
export async function publishRelease(req: ReleaseRequest): Promise<ReleaseOutcome> {
  const { log } = req;
  const tag = releaseTag(req.env);
  if (tag === null) {
    log.info(
      `Release: skipped, ${req.env.GITHUB_REF ? `${req.env.GITHUB_REF} is not a tag` : 'no ref (GITHUB_REF) is set'}; a release is made when the workflow runs for a tag (on: push: tags).`,
    );
    return SKIPPED(null);
  }
  const failures = req.manifest.artifacts.filter((a) => isFailure(a.status)).map((a) => a.target);
  if (failures.length > 0 || req.missing.length > 0) {
    const what = [
      ...(failures.length > 0 ? [`${failures.join(', ')} failed`] : []),
      ...(req.missing.length > 0 ? [`${req.missing.join(', ')} never arrived`] : []),
    ].join(' and ');
    throw new Error(`Release ${tag} was not made: ${what}, and a release holds every target or none.`);
  }
  checkAssetNames(req.files.map((f) => f.name));
  const repo = repository(req.env);
  if (!req.token) {
    throw new Error(
      `Release ${tag} needs a token with 'contents: write' (input github-token; GITHUB_TOKEN on the command line).`,
    );
  }
  const retryBaseMs = msFromEnv(req.env, 'GO_BUILD_MATRIX_API_RETRY_MS') ?? 1000;
  const client = await makeClient({
    token: req.token,
    baseUrl: req.env.GITHUB_API_URL,
    retryBaseMs,
    onRateLimit: (message) => log.info(`Release ${tag}: ${message}`),
  });
  const api = new ReleaseApi(client, repo, log, retryBaseMs);
  const work: Work = { release: null, progress: new Progress() };
  try {
    return await syncRelease(api, tag, req, work);
  } catch (err) {
    const failure = apiFailure(err, req.token);
    const left = api.writes > 0 && work.release !== null ? `. ${work.progress.describe(work.release)}` : '';
    if (failure.status === 403 && api.writes === 0) {
      const permission = failure.permission ?? 'contents: write';
      log.warning(
        `Release ${tag} was not made: GitHub refused with 403 (${failure.message}). Grant the job 'permissions: ${permission}' and pass a token that has it as github-token.`,
      );
      return SKIPPED(tag);
    }
    if (failure.status !== null) {
      throw new Error(`Release ${tag}: GitHub answered ${failure.status}: ${failure.message}${left}`);
    }
    if (left !== '') throw new Error(`Release ${tag}: ${failure.message}${left}`);
    throw err;
  }
}

function repository(env: ReleaseRequest['env']): { owner: string; repo: string } {
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo || rest.length > 0) {
    throw new Error(
      `A release needs the repository as OWNER/REPO in GITHUB_REPOSITORY (got ${JSON.stringify(env.GITHUB_REPOSITORY ?? '')}).`,
    );
  }
  return { owner, repo };
}

/** Of two releases of one tag, the published one, else the older draft: every run picks the same. */
function winner(releases: readonly Release[]): Release | null {
  return releases.find((r) => !r.draft) ?? [...releases].sort((a, b) => a.id - b.id)[0] ?? null;
}

async function syncRelease(
  api: ReleaseApi,
  tag: string,
  req: ReleaseRequest,
  work: Work,
): Promise<ReleaseOutcome> {
  const { log } = req;
  const tagObject = await api.readTag(tag);
  let release = winner(await api.releasesOf(tag));
  /** This run's own draft, while it may still lose to another run's. */
  let own: Release | null = null;
  if (release === null) {
    own = release = await createDraft(api, tag, tagObject, req);
    log.info(`Release ${tag}: created as a draft (${release.html_url}).`);
  } else {
    log.info(
      `Release ${tag}: found ${release.draft ? 'a draft' : release.immutable ? 'an immutable published release' : 'a published release'} (${release.html_url}).`,
    );
  }
  work.release = release;
  // Another run of the same tag may create its draft at the same time: settle it now, and once
  // more before publishing (a list may not show the other draft yet).
  const settleOwn = async (): Promise<boolean> => {
    if (own === null) return false;
    const settled = await settle(api, tag, own, log);
    if (settled.id === own.id) return false;
    work.release = release = settled;
    own = null;
    return true;
  };
  await settleOwn();
  if (refusesDraft(release, req)) return SKIPPED(tag);
  let assets = await syncAssets(api, release, req, work.progress);
  if (await settleOwn()) {
    if (refusesDraft(release, req)) return SKIPPED(tag);
    assets = await syncAssets(api, release, req, work.progress);
  }
  try {
    return await finish(api, release, req, assets);
  } catch (err) {
    // One published release per tag: the other run published first.
    const failure = apiFailure(err, req.token);
    if (failure.status !== 422 || !failure.codes.includes('already_exists') || !(await settleOwn()))
      throw err;
    if (refusesDraft(release, req)) return SKIPPED(tag);
    return finish(api, release, req, await syncAssets(api, release, req, work.progress));
  }
}

/** release: draft never changes a published release. */
function refusesDraft(release: Release, req: ReleaseRequest): boolean {
  if (req.mode !== 'draft' || release.draft) return false;
  req.log.warning(
    `Release ${release.tag_name} is already published (${release.html_url}); release: draft never changes a published release, so nothing was uploaded. Use release: true to update it, or a new tag for a draft.`,
  );
  return true;
}

/** Publishes a draft when asked to, and reports. */
async function finish(
  api: ReleaseApi,
  release: Release,
  req: ReleaseRequest,
  assets: AssetRecord[],
): Promise<ReleaseOutcome> {
  const tag = release.tag_name;
  if (release.draft && req.mode === 'true') {
    const prerelease = isPrerelease(tag, req);
    release = await api.publish(release, prerelease, req.makeLatest);
    req.log.info(`Release ${tag}: published with ${assets.length} asset(s) (${release.html_url}).`);
  } else {
    req.log.info(
      `Release ${tag}: ${release.draft ? 'left a draft for review' : 'already published'}, ${describe(assets)} (${release.html_url}).`,
    );
  }
  return { state: release.draft ? 'draft' : 'published', tag, url: release.html_url, assets };
}

/**
 * When the tag has a release besides this run's own draft, the winner (see `winner`) is kept:
 * a losing run deletes its own draft, with whatever it uploaded there, and works on the winner.
 */
async function settle(api: ReleaseApi, tag: string, own: Release, log: Logger): Promise<Release> {
  const listed = await api.releasesOf(tag);
  const all = listed.some((r) => r.id === own.id) ? listed : [...listed, own];
  const chosen = winner(all) ?? own;
  if (chosen.id === own.id) return own;
  log.info(
    `Release ${tag}: another run made ${chosen.draft ? `a draft (id ${chosen.id})` : 'the published release'} of this tag at the same time; removing this run's draft (id ${own.id}) and using that one.`,
  );
  await api.deleteRelease(own);
  return chosen;
}

async function syncAssets(
  api: ReleaseApi,
  release: Release,
  req: ReleaseRequest,
  progress: Progress,
): Promise<AssetRecord[]> {
  const tag = release.tag_name;
  const remote = await api.listAssets(release.id);
  const plan = planAssets(req.files, await withDigests(api, remote, req.files));
  if (plan.others.length > 0) {
    req.log.info(
      `Release ${tag} holds ${plan.others.length} asset(s) this build did not make, left as they are: ${plan.others.map((o) => o.name).join(', ')}`,
    );
  }
  try {
    return await applyPlan(api, release, plan, progress, req.log);
  } catch (err) {
    // Uploads come first, so a release GitHub will not let change has not changed.
    const failure = apiFailure(err, req.token);
    if (failure.status === 422 && (release.immutable === true || /immutable/i.test(failure.message))) {
      // A concurrent run of the same build may have filled and published it meanwhile.
      const now = planAssets(req.files, await withDigests(api, await api.listAssets(release.id), req.files));
      if (now.leftovers.length === 0 && now.steps.every((s) => s.kind === 'keep'))
        return applyPlan(api, release, now, progress, req.log);
      throw new Error(immutableRefusal(tag, plan.steps, failure.apiMessage ?? failure.message));
    }
    throw err;
  }
}

function isPrerelease(tag: string, req: ReleaseRequest): boolean {
  return req.prerelease === 'auto' ? isSemverPrerelease(tag) : req.prerelease === 'true';
}

async function createDraft(
  api: ReleaseApi,
  tag: string,
  tagObject: { annotatedMessage: string | null },
  req: ReleaseRequest,
): Promise<Release> {
  const message = tagObject.annotatedMessage;
  if (req.notes === 'tag' && message === null) {
    req.log.warning(
      `Release ${tag}: release-notes is 'tag' but ${tag} is a lightweight tag with no message; the notes are empty. Tag with 'git tag -a' to give it one.`,
    );
  }
  const notes =
    req.notes === 'generated' || (req.notes === 'auto' && message === null)
      ? ({ generate_release_notes: true } as const)
      : { body: message ?? '' };
  return api.createDraft({ tag, prerelease: isPrerelease(tag, req), notes });
}

/** What an immutable release refused, and what to do instead. */
function immutableRefusal(tag: string, steps: readonly AssetStep[], answer: string): string {
  const changed = steps.filter((s) => s.kind === 'replace').map((s) => s.file.name);
  const absent = steps.filter((s) => s.kind === 'add' || s.kind === 'restore').map((s) => s.file.name);
  const what = [
    ...(changed.length > 0
      ? [`${changed.join(', ')} differ${changed.length === 1 ? 's' : ''} from this build`]
      : []),
    ...(absent.length > 0 ? [`${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'} not on it`] : []),
  ].join(' and ');
  return `Release ${tag} is published and immutable: GitHub answered 422 "${answer}" (${what}). Nothing was changed; release the new build under a new tag.`;
}

function describe(assets: readonly AssetRecord[]): string {
  const count = (action: AssetRecord['action']) => assets.filter((a) => a.action === action).length;
  return `${count('added')} asset(s) added, ${count('replaced')} replaced, ${count('kept')} unchanged`;
}

/** Where GitHub gave no digest and the sizes match, the bytes decide; temporary assets are compared with the file they stand in for. */
async function withDigests(
  api: ReleaseApi,
  remote: RemoteAsset[],
  files: readonly ReleaseFile[],
): Promise<RemoteAsset[]> {
  const byName = new Map(files.map((f) => [f.name, f]));
  return Promise.all(
    remote.map(async (asset) => {
      const file = fileFor(byName, asset);
      if (file === undefined || !needsBytes(file, asset)) return asset;
      return { ...asset, sha256: await api.digestOf(asset) };
    }),
  );
}

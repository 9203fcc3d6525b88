// Publishing the GitHub release of the tag a run builds. A new release is created as a draft,
// receives every file, and is published last: repositories with immutable releases refuse
// uploads once a release is published, and a release must never be seen half-filled. A re-run
// keeps assets whose bytes are unchanged, adds what is new and replaces what changed where the
// release still allows it.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { msFromEnv } from '../env-knobs.js';
import type { Logger } from '../log.js';
import type { Manifest } from '../report/manifest.js';
import { isFailure } from '../report/manifest.js';
import type { ReleaseMode, ReleaseNotes } from '../options/options.js';
import type { ReleaseFile } from './assets.js';
import type { GitHubClient } from '../github/client.js';
import { apiFailure, makeClient } from '../github/client.js';
import type { AssetStep, RemoteAsset } from './sync.js';
import { needsBytes, planAssets } from './sync.js';
import { isSemverPrerelease, releaseTag, tagNotes } from './tag.js';

export { releaseFiles, writeSubjects, SUBJECTS_FILE } from './assets.js';
export type { ReleaseFile } from './assets.js';

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

export interface AssetRecord {
  name: string;
  sha256: string;
  /** What this run did with it. */
  action: 'kept' | 'added' | 'replaced';
}

export interface ReleaseOutcome {
  /** skipped: no tag, or GitHub refused for want of a permission (a warning says which). */
  state: 'skipped' | 'draft' | 'published';
  tag: string | null;
  url: string | null;
  assets: AssetRecord[];
}

const SKIPPED = (tag: string | null): ReleaseOutcome => ({ state: 'skipped', tag, url: null, assets: [] });

interface Release {
  id: number;
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
  immutable?: boolean | null;
  html_url: string;
  upload_url: string;
}

interface Repo {
  owner: string;
  repo: string;
}

/**
 * Creates or updates the release of the run's tag. Throws when the release cannot be made as
 * asked (a target failed, an asset of an immutable release differs, GitHub refused); a missing
 * permission and a run on a branch are a warning and a note, and return `skipped`.
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
  const repo = repository(req.env);
  if (!req.token) {
    throw new Error(
      `Release ${tag} needs a token with 'contents: write' (input github-token; GITHUB_TOKEN on the command line).`,
    );
  }
  const client = await makeClient({
    token: req.token,
    baseUrl: req.env.GITHUB_API_URL,
    retryBaseMs: msFromEnv(req.env, 'GO_BUILD_MATRIX_API_RETRY_MS') ?? 1000,
  });
  try {
    return await syncRelease(client, repo, tag, req);
  } catch (err) {
    const failure = apiFailure(err, req.token);
    if (failure.status === 403) {
      const permission = failure.permission ?? 'contents: write';
      log.warning(
        `Release ${tag} was not made: GitHub refused with 403 (${failure.message}). Grant the job 'permissions: ${permission}' and pass a token that has it as github-token.`,
      );
      return SKIPPED(tag);
    }
    if (failure.status !== null) {
      throw new Error(`Release ${tag}: GitHub answered ${failure.status}: ${failure.message}`);
    }
    throw err;
  }
}

function repository(env: ReleaseRequest['env']): Repo {
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo || rest.length > 0) {
    throw new Error(
      `A release needs the repository as OWNER/REPO in GITHUB_REPOSITORY (got ${JSON.stringify(env.GITHUB_REPOSITORY ?? '')}).`,
    );
  }
  return { owner, repo };
}

async function syncRelease(
  client: GitHubClient,
  repo: Repo,
  tag: string,
  req: ReleaseRequest,
): Promise<ReleaseOutcome> {
  const { log } = req;
  const tagObject = await readTag(client, repo, tag);
  let release = await findRelease(client, repo, tag);
  if (release === null) {
    release = await createDraft(client, repo, tag, tagObject, req);
    log.info(`Release ${tag}: created as a draft (${release.html_url}).`);
  } else {
    log.info(
      `Release ${tag}: found ${release.draft ? 'a draft' : release.immutable ? 'an immutable published release' : 'a published release'} (${release.html_url}).`,
    );
  }
  const remote = await listAssets(client, repo, release.id);
  const plan = planAssets(req.files, await withDigests(client, repo, remote, req.files));
  if (plan.others.length > 0) {
    log.info(
      `Release ${tag} holds ${plan.others.length} asset(s) this build did not make, left as they are: ${plan.others.map((o) => o.name).join(', ')}`,
    );
  }
  let assets: AssetRecord[];
  try {
    assets = await applySteps(client, repo, release, plan.steps, log);
  } catch (err) {
    // Uploads come first, so a release GitHub will not let change has not changed.
    const failure = apiFailure(err, req.token);
    if (
      failure.status === 422 &&
      !release.draft &&
      (release.immutable === true || /immutable/i.test(failure.message))
    ) {
      throw new Error(immutableRefusal(tag, plan.steps, failure.apiMessage ?? failure.message));
    }
    throw err;
  }
  if (release.draft && req.mode === 'true') {
    release = await publish(client, repo, release, req);
    log.info(`Release ${tag}: published with ${assets.length} asset(s) (${release.html_url}).`);
  } else {
    log.info(
      `Release ${tag}: ${release.draft ? 'left a draft for review' : 'already published'}, ${describe(assets)} (${release.html_url}).`,
    );
  }
  return { state: release.draft ? 'draft' : 'published', tag, url: release.html_url, assets };
}

/** What an immutable release refused, and what to do instead. */
function immutableRefusal(tag: string, steps: readonly AssetStep[], answer: string): string {
  const changed = steps.filter((s) => s.kind === 'replace').map((s) => s.file.name);
  const absent = steps.filter((s) => s.kind === 'add').map((s) => s.file.name);
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

/** The tag as GitHub has it; a release of a tag GitHub does not have would create that tag. */
async function readTag(
  client: GitHubClient,
  repo: Repo,
  tag: string,
): Promise<{ annotatedMessage: string | null }> {
  let object: { type: string; sha: string };
  try {
    const { data } = await client.rest.git.getRef({ ...repo, ref: `tags/${tag}` });
    object = data.object;
  } catch (err) {
    if (apiFailure(err, '').status === 404) {
      throw new Error(
        `Tag ${tag} is not in ${repo.owner}/${repo.repo} on GitHub; push the tag before releasing it (a release of a missing tag would create one).`,
      );
    }
    throw err;
  }
  if (object.type !== 'tag') return { annotatedMessage: null };
  const { data } = await client.rest.git.getTag({ ...repo, tag_sha: object.sha });
  return { annotatedMessage: tagNotes(data.message) };
}

/** Drafts are not found by tag name (GET /releases/tags/… sees published releases only), so the list is read. */
async function findRelease(client: GitHubClient, repo: Repo, tag: string): Promise<Release | null> {
  const all = (await client.paginate(client.rest.repos.listReleases, {
    ...repo,
    per_page: 100,
  })) as Release[];
  const matching = all.filter((r) => r.tag_name === tag);
  return matching.find((r) => !r.draft) ?? matching[0] ?? null;
}

function isPrerelease(tag: string, req: ReleaseRequest): boolean {
  return req.prerelease === 'auto' ? isSemverPrerelease(tag) : req.prerelease === 'true';
}

async function createDraft(
  client: GitHubClient,
  repo: Repo,
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
      ? { generate_release_notes: true }
      : { body: message ?? '' };
  const { data } = await client.rest.repos.createRelease({
    ...repo,
    tag_name: tag,
    name: tag,
    draft: true,
    prerelease: isPrerelease(tag, req),
    ...notes,
  });
  return data as Release;
}

async function publish(
  client: GitHubClient,
  repo: Repo,
  release: Release,
  req: ReleaseRequest,
): Promise<Release> {
  const prerelease = isPrerelease(release.tag_name, req);
  const { data } = await client.rest.repos.updateRelease({
    ...repo,
    release_id: release.id,
    draft: false,
    prerelease,
    // GitHub never makes a prerelease the latest; asking would be refused or ignored.
    ...(prerelease ? {} : { make_latest: req.makeLatest }),
  });
  return data as Release;
}

async function listAssets(client: GitHubClient, repo: Repo, releaseId: number): Promise<RemoteAsset[]> {
  const assets = await client.paginate(client.rest.repos.listReleaseAssets, {
    ...repo,
    release_id: releaseId,
    per_page: 100,
  });
  return assets.map((a) => {
    const digest = (a as { digest?: string | null }).digest;
    return {
      id: a.id,
      name: a.name,
      state: a.state,
      size: a.size,
      sha256:
        typeof digest === 'string' && digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : null,
    };
  });
}

/** Where GitHub gave no digest and the sizes match, the bytes decide. */
async function withDigests(
  client: GitHubClient,
  repo: Repo,
  remote: RemoteAsset[],
  files: readonly ReleaseFile[],
): Promise<RemoteAsset[]> {
  const byName = new Map(files.map((f) => [f.name, f]));
  return Promise.all(
    remote.map(async (asset) => {
      const file = byName.get(asset.name);
      if (file === undefined || !needsBytes(file, asset)) return asset;
      const { data } = await client.rest.repos.getReleaseAsset({
        ...repo,
        asset_id: asset.id,
        headers: { accept: 'application/octet-stream' },
      });
      const bytes = Buffer.from(data as unknown as ArrayBuffer);
      return { ...asset, sha256: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}

/**
 * Uploads come first (new files, then replacements under a temporary name): when GitHub refuses
 * an upload, as it does for an immutable release, nothing of the release has changed yet. A
 * replaced asset is deleted only once its successor is uploaded.
 */
async function applySteps(
  client: GitHubClient,
  repo: Repo,
  release: Release,
  steps: readonly AssetStep[],
  log: Logger,
): Promise<AssetRecord[]> {
  const record = (step: AssetStep, action: AssetRecord['action']): AssetRecord => ({
    name: step.file.name,
    sha256: step.file.sha256,
    action,
  });
  const records = new Map<string, AssetRecord>();
  for (const step of steps) if (step.kind === 'keep') records.set(step.file.name, record(step, 'kept'));
  for (const step of steps) {
    if (step.kind !== 'add') continue;
    if (step.blocked !== null) {
      log.info(
        `Release asset ${step.file.name}: removing an unfinished upload (state ${step.blocked.state}).`,
      );
      await client.rest.repos.deleteReleaseAsset({ ...repo, asset_id: step.blocked.id });
    }
    await upload(client, repo, release, step.file, step.file.name, log);
    records.set(step.file.name, record(step, 'added'));
  }
  const successors: { step: AssetStep & { kind: 'replace' }; uploaded: number }[] = [];
  for (const step of steps) {
    if (step.kind !== 'replace') continue;
    log.info(
      `Release asset ${step.file.name}: replacing it, its bytes differ (sha256 ${step.remote.sha256 ?? 'unknown'} on the release, ${step.file.sha256} here).`,
    );
    const temporary = `${step.file.name}.replacing-${step.remote.id}`;
    successors.push({ step, uploaded: await upload(client, repo, release, step.file, temporary, log) });
  }
  // Every byte is on GitHub before the first old asset goes: the swap is short and cannot stop half-way for want of a file.
  for (const { step, uploaded } of successors) {
    await client.rest.repos.deleteReleaseAsset({ ...repo, asset_id: step.remote.id });
    await client.rest.repos.updateReleaseAsset({ ...repo, asset_id: uploaded, name: step.file.name });
    records.set(step.file.name, record(step, 'replaced'));
  }
  return steps.map((s) => records.get(s.file.name) as AssetRecord);
}

/** One upload through the release's upload_url template; returns the new asset's id. */
async function upload(
  client: GitHubClient,
  repo: Repo,
  release: Release,
  file: ReleaseFile,
  name: string,
  log: Logger,
): Promise<number> {
  const data = await readFile(file.file);
  const send = () =>
    client.request({
      method: 'POST',
      url: release.upload_url,
      name,
      data,
      headers: { 'content-type': 'application/octet-stream', 'content-length': data.length },
    });
  try {
    const response = await send();
    log.debug(`Uploaded ${name} (${data.length} bytes) to release ${release.tag_name}.`);
    return (response.data as { id: number }).id;
  } catch (err) {
    const failure = apiFailure(err, '');
    if (failure.status === 422 && failure.codes.includes('already_exists')) {
      // A retried upload whose first attempt did arrive, or one that broke off and left a stub.
      const existing = (await listAssets(client, repo, release.id)).find((a) => a.name === name);
      if (existing?.state === 'uploaded' && existing.sha256 === file.sha256) return existing.id;
      if (existing !== undefined && existing.state !== 'uploaded') {
        await client.rest.repos.deleteReleaseAsset({ ...repo, asset_id: existing.id });
        return ((await send()).data as { id: number }).id;
      }
    }
    throw err;
  }
}

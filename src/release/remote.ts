// The release endpoints of GitHub's REST API this step uses, over one client and repository. It
// counts the writes it made, so that a failure can tell "nothing changed" from "part changed".
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { GitHubClient } from '../github/client.js';
import { apiFailure } from '../github/client.js';
import type { Logger } from '../log.js';
import type { ReleaseFile } from './assets.js';
import type { RemoteAsset } from './sync.js';
import { tagNotes } from './tag.js';

export interface Release {
  id: number;
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
  immutable?: boolean | null;
  html_url: string;
  upload_url: string;
}

export interface Repo {
  owner: string;
  repo: string;
}

/** How often a list that does not yet show a write just made is read again. */
const LIST_ATTEMPTS = 4;

export class ReleaseApi {
  /** Requests that changed something on GitHub, answered with success. */
  writes = 0;

  constructor(
    private readonly client: GitHubClient,
    readonly repo: Repo,
    private readonly log: Logger,
    /** Pause between reads of a list that lags a write. */
    private readonly pauseMs: number,
  ) {}

  private async write<T>(call: () => Promise<T>): Promise<T> {
    const result = await call();
    this.writes++;
    return result;
  }

  /** The tag as GitHub has it; a release of a tag GitHub does not have would create that tag. */
  async readTag(tag: string): Promise<{ annotatedMessage: string | null }> {
    let object: { type: string; sha: string };
    try {
      const { data } = await this.client.rest.git.getRef({ ...this.repo, ref: `tags/${tag}` });
      object = data.object;
    } catch (err) {
      if (apiFailure(err, '').status === 404) {
        throw new Error(
          `Tag ${tag} is not in ${this.repo.owner}/${this.repo.repo} on GitHub; push the tag before releasing it (a release of a missing tag would create one).`,
        );
      }
      throw err;
    }
    if (object.type !== 'tag') return { annotatedMessage: null };
    const { data } = await this.client.rest.git.getTag({ ...this.repo, tag_sha: object.sha });
    return { annotatedMessage: tagNotes(data.message) };
  }

  /** Drafts are not found by tag name (GET /releases/tags/… sees published releases only), so the list is read. */
  async releasesOf(tag: string): Promise<Release[]> {
    const all = (await this.client.paginate(this.client.rest.repos.listReleases, {
      ...this.repo,
      per_page: 100,
    })) as Release[];
    return all.filter((r) => r.tag_name === tag);
  }

  async createDraft(fields: {
    tag: string;
    prerelease: boolean;
    notes: { generate_release_notes: true } | { body: string };
  }): Promise<Release> {
    const { data } = await this.write(() =>
      this.client.rest.repos.createRelease({
        ...this.repo,
        tag_name: fields.tag,
        name: fields.tag,
        draft: true,
        prerelease: fields.prerelease,
        ...fields.notes,
      }),
    );
    return data as Release;
  }

  async deleteRelease(release: Release): Promise<void> {
    await this.write(() => this.client.rest.repos.deleteRelease({ ...this.repo, release_id: release.id }));
  }

  async publish(release: Release, prerelease: boolean, makeLatest: string): Promise<Release> {
    const { data } = await this.write(() =>
      this.client.rest.repos.updateRelease({
        ...this.repo,
        release_id: release.id,
        draft: false,
        prerelease,
        // GitHub never makes a prerelease the latest; asking would be refused or ignored.
        ...(prerelease ? {} : { make_latest: makeLatest as 'true' | 'false' | 'legacy' }),
      }),
    );
    return data as Release;
  }

  async listAssets(releaseId: number): Promise<RemoteAsset[]> {
    const assets = await this.client.paginate(this.client.rest.repos.listReleaseAssets, {
      ...this.repo,
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

  /** The asset's sha256 from its bytes, for servers that give no digest (older GHES). */
  async digestOf(asset: RemoteAsset): Promise<string> {
    return createHash('sha256')
      .update(await this.bytesOf(asset))
      .digest('hex');
  }

  /** The asset's bytes, as a download gives them. */
  async bytesOf(asset: { id: number }): Promise<Buffer> {
    const { data } = await this.client.rest.repos.getReleaseAsset({
      ...this.repo,
      asset_id: asset.id,
      headers: { accept: 'application/octet-stream' },
    });
    return Buffer.from(data as unknown as ArrayBuffer);
  }

  /** A delete of an asset that is already gone (a retried delete whose first attempt arrived) is done. */
  async deleteAsset(asset: RemoteAsset): Promise<void> {
    try {
      await this.write(() => this.client.rest.repos.deleteReleaseAsset({ ...this.repo, asset_id: asset.id }));
    } catch (err) {
      if (apiFailure(err, '').status !== 404) throw err;
    }
  }

  async renameAsset(asset: RemoteAsset, name: string): Promise<void> {
    await this.write(() =>
      this.client.rest.repos.updateReleaseAsset({ ...this.repo, asset_id: asset.id, name }),
    );
  }

  /** One upload through the release's upload_url template; returns the new asset. */
  async upload(release: Release, file: ReleaseFile, name: string): Promise<RemoteAsset> {
    const data = await readFile(file.file);
    const send = async (): Promise<RemoteAsset> => {
      const response = await this.write(() =>
        this.client.request({
          method: 'POST',
          url: release.upload_url,
          name,
          data,
          headers: { 'content-type': 'application/octet-stream', 'content-length': data.length },
        }),
      );
      const asset = response.data as { id: number; name: string };
      if (asset.name !== name) {
        // Names are checked before any call (assets.ts); a server that still renames is named plainly.
        throw new Error(
          `GitHub stored the upload ${JSON.stringify(name)} as ${JSON.stringify(asset.name)}; the release, checksums.txt and the attestation would disagree. Rename the file so that GitHub keeps its name.`,
        );
      }
      this.log.debug(`Uploaded ${name} (${data.length} bytes) to release ${release.tag_name}.`);
      return { id: asset.id, name, state: 'uploaded', size: data.length, sha256: file.sha256 };
    };
    try {
      return await send();
    } catch (err) {
      const failure = apiFailure(err, '');
      if (failure.status !== 422 || !failure.codes.includes('already_exists')) throw err;
      // A retried upload whose first attempt did arrive, or one that broke off and left a stub.
      const existing = await this.findAsset(release.id, name);
      if (existing === null) throw err;
      if (existing.state === 'uploaded') {
        const sha256 =
          existing.sha256 ?? (existing.size === file.size ? await this.digestOf(existing) : null);
        if (sha256 === file.sha256) return { ...existing, sha256 };
        throw err;
      }
      await this.deleteAsset(existing);
      return send();
    }
  }

  /** The asset of that name; the list is read again while it may lag the write that made it. */
  private async findAsset(releaseId: number, name: string): Promise<RemoteAsset | null> {
    for (let attempt = 1; ; attempt++) {
      const found = (await this.listAssets(releaseId)).find((a) => a.name === name);
      if (found !== undefined || attempt === LIST_ATTEMPTS) return found ?? null;
      await new Promise((resolve) => setTimeout(resolve, this.pauseMs * attempt));
    }
  }
}

// The manifest the sizes are compared with: the previous release's manifest.json asset, a
// named release's, or a file given as size-baseline.
import { readFile } from 'node:fs/promises';
import { apiFailure, makeClient } from '../github/client.js';
import { msFromEnv } from '../env-knobs.js';
import type { Logger } from '../log.js';
import { InputError } from '../options/errors.js';
import type { Manifest } from '../report/manifest.js';
import { MANIFEST_FILE } from '../report/manifest.js';
import { ReleaseApi } from '../release/remote.js';
import { isSemverPrerelease, releaseTag } from '../release/tag.js';

/** `size-baseline`: the previous release (auto), none (off), one release by tag, or a manifest file. */
export type SizeBaseline =
  | { readonly kind: 'auto' }
  | { readonly kind: 'off' }
  | { readonly kind: 'release'; readonly tag: string }
  | { readonly kind: 'file'; readonly path: string; readonly given: string };

/** The part of a manifest the comparison reads. */
export type BaselineManifest = Pick<Manifest, 'artifacts'>;

export type Baseline =
  | { readonly found: true; readonly source: string; readonly manifest: BaselineManifest }
  /**
   * `blocksBudget`: a previous release exists (or may) but its figures could not be read, so a
   * budget cannot be checked; `failed`: GitHub failed, which is worth a warning even without one.
   */
  | { readonly found: false; readonly note: string; readonly blocksBudget: boolean; readonly failed?: true };

export interface BaselineRequest {
  baseline: Exclude<SizeBaseline, { kind: 'off' }>;
  token: string;
  prerelease: 'auto' | 'true' | 'false';
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
}

interface ListedRelease {
  id: number;
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
  published_at: string | null;
}

export async function readBaseline(req: BaselineRequest): Promise<Baseline> {
  if (req.baseline.kind === 'file') {
    const { path, given } = req.baseline;
    const text = await readFile(path, 'utf8').catch((err: Error) => {
      throw new InputError(
        'size-baseline',
        given,
        `${path} cannot be read (${err.message}); give the manifest.json of an earlier build or release.`,
      );
    });
    return { found: true, source: given, manifest: parseManifest(text, given) };
  }
  const repo = /^([^/\s]+)\/([^/\s]+)$/.exec(req.env.GITHUB_REPOSITORY ?? '');
  const lacking = [
    ...(req.token ? [] : ['a token (input github-token; GITHUB_TOKEN or GH_TOKEN on the command line)']),
    ...(repo ? [] : ['the repository (GITHUB_REPOSITORY as OWNER/REPO)']),
  ];
  if (repo === null || lacking.length > 0) {
    return {
      found: false,
      note: `the previous release was not looked up: ${lacking.join(' and ')} ${lacking.length > 1 ? 'are' : 'is'} missing`,
      blocksBudget: true,
    };
  }
  const retryBaseMs = msFromEnv(req.env, 'GO_BUILD_MATRIX_API_RETRY_MS') ?? 1000;
  const client = await makeClient({
    token: req.token,
    baseUrl: req.env.GITHUB_API_URL,
    retryBaseMs,
    onRateLimit: (message) => req.log.info(`Size: ${message}`),
  });
  const where = { owner: repo[1] as string, repo: repo[2] as string };
  try {
    const releases = (await client.paginate(client.rest.repos.listReleases, {
      ...where,
      per_page: 100,
    })) as ListedRelease[];
    const chosen =
      req.baseline.kind === 'release'
        ? named(releases, req.baseline.tag)
        : previousRelease(releases, releaseTag(req.env), req.prerelease);
    if (chosen === null) {
      return req.baseline.kind === 'release'
        ? {
            found: false,
            note: `${where.owner}/${where.repo} has no published release ${req.baseline.tag} (size-baseline)`,
            blocksBudget: true,
          }
        : { found: false, note: 'there is no previous release to compare with', blocksBudget: false };
    }
    return await manifestOf(new ReleaseApi(client, where, req.log, retryBaseMs), chosen);
  } catch (err) {
    if (err instanceof InputError) throw err;
    const failure = apiFailure(err, req.token);
    return {
      found: false,
      note: `the previous release could not be read: GitHub answered ${failure.status ?? 'nothing'} (${failure.message})`,
      blocksBudget: true,
      failed: true,
    };
  }
}

function named(releases: readonly ListedRelease[], tag: string): ListedRelease | null {
  return releases.find((r) => r.tag_name === tag && !r.draft) ?? null;
}

/**
 * The newest published release before this run's: drafts never count, nor the tag this run
 * builds; on a re-run of a tag whose release is published, only releases published before it.
 * A Go sub-module's tags (tools/v0.2.0) are compared only with that sub-module's. A prerelease
 * counts only when this run builds one (v1.3.0-rc.2 against v1.3.0-rc.1), so a release is
 * compared with what users of the previous release have.
 */
export function previousRelease<R extends ListedRelease>(
  releases: readonly R[],
  tag: string | null,
  prerelease: 'auto' | 'true' | 'false',
): R | null {
  const prefix = (t: string) => t.slice(0, t.lastIndexOf('/') + 1);
  const building = tag !== null && (prerelease === 'auto' ? isSemverPrerelease(tag) : prerelease === 'true');
  const own = tag === null ? undefined : releases.find((r) => r.tag_name === tag && !r.draft);
  const before = own?.published_at ?? null;
  const candidates = releases.filter(
    (r) =>
      !r.draft &&
      r.published_at !== null &&
      r.tag_name !== tag &&
      (tag === null || prefix(r.tag_name) === prefix(tag)) &&
      (building || !r.prerelease) &&
      (before === null || r.published_at < before),
  );
  candidates.sort((a, b) => (b.published_at ?? '').localeCompare(a.published_at ?? '') || b.id - a.id);
  return candidates[0] ?? null;
}

async function manifestOf(api: ReleaseApi, release: ListedRelease): Promise<Baseline> {
  const assets = await api.listAssets(release.id);
  const asset = assets.find((a) => a.name === MANIFEST_FILE && a.state === 'uploaded');
  const source = `release ${release.tag_name}`;
  if (asset === undefined) {
    return {
      found: false,
      note: `${source} has no ${MANIFEST_FILE} asset (releases made before go-build-matrix carried it)`,
      blocksBudget: true,
    };
  }
  const text = (await api.bytesOf(asset)).toString('utf8');
  try {
    return { found: true, source, manifest: parseManifest(text, `${source}'s ${MANIFEST_FILE}`) };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { found: false, note: err.expected, blocksBudget: true };
  }
}

/** Only what the comparison needs is checked: each artifact's target, package, status and size. */
function parseManifest(text: string, what: string): BaselineManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  const artifacts = (value as { artifacts?: unknown } | null)?.artifacts;
  const readable =
    Array.isArray(artifacts) &&
    artifacts.every((a: Partial<Record<string, unknown>> | null) => {
      return (
        typeof a?.target === 'string' &&
        typeof a.package === 'string' &&
        typeof a.status === 'string' &&
        (a.size === null || typeof a.size === 'number')
      );
    });
  if (!readable) {
    throw new InputError(
      'size-baseline',
      what,
      `${what} is not a go-build-matrix manifest.json (an object with 'artifacts', each with target, package, status and size); give the manifest.json of an earlier build or release.`,
    );
  }
  return { artifacts: artifacts as Manifest['artifacts'] };
}

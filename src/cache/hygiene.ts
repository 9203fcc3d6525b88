// After a save: delete the branch's cache entries the new one supersedes. Every saving run adds an
// entry (keys move per run, entries are immutable), and a repository's cache is one quota shared
// with every workflow, evicted least-recently-used: without this, old copies of the same GOCACHE
// push out other workflows' entries before they push out each other.
import type { Logger } from '../log.js';
import { formatBytes } from '../report/format.js';
import { apiFailure, makeClient } from '../github/client.js';

export interface SavedEntry {
  name: 'GOMODCACHE' | 'GOCACHE';
  key: string;
  /** Entries of the same kind, module and runner start with it (a Go version may follow). */
  family: string;
  /** Present in every key of the same target set and compile inputs ('' for GOMODCACHE). */
  marker: string;
  /** Keys of other compile inputs this entry holds all of (the narrower target set it was restored from). */
  supersedes: readonly string[];
}

export interface CleanupRequest {
  token: string;
  env: Readonly<Record<string, string | undefined>>;
  retryBaseMs: number;
  log: Logger;
}

export interface CleanupResult {
  deletedEntries: number;
  deletedBytes: number;
}

interface ListedEntry {
  id: number;
  key: string;
  ref: string;
  created_at: string;
  size_in_bytes: number;
}

const NOTHING: CleanupResult = { deletedEntries: 0, deletedBytes: 0 };

/**
 * Superseded: on the same ref, of the same family and target set (or the narrower set the new
 * entry grew from), created no later than the new entry, and not the new entry itself. A run on
 * another branch, another module, another target set or a concurrent newer save is never
 * touched. Every problem is one warning.
 */
export async function deleteSuperseded(
  saved: readonly SavedEntry[],
  req: CleanupRequest,
): Promise<CleanupResult> {
  const { env, log } = req;
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const ref = env.GITHUB_REF;
  if (saved.length === 0 || !owner || !repo || !ref || !req.token) return NOTHING;
  const client = await makeClient({
    token: req.token,
    baseUrl: env.GITHUB_API_URL,
    retryBaseMs: req.retryBaseMs,
  });
  const result = { ...NOTHING };
  const deletedKeys: string[] = [];
  try {
    for (const entry of saved) {
      const listed = (await client.paginate(client.rest.actions.getActionsCacheList, {
        owner,
        repo,
        key: entry.family,
        ref,
        per_page: 100,
      })) as ListedEntry[];
      const own = listed.find((e) => e.key === entry.key);
      const savedAt = own ? Date.parse(own.created_at) : Date.now();
      const superseded = listed.filter(
        (e) =>
          e.ref === ref &&
          e.key !== entry.key &&
          e.key.startsWith(entry.family) &&
          (e.key.includes(entry.marker) || entry.supersedes.includes(e.key)) &&
          Date.parse(e.created_at) <= savedAt,
      );
      for (const e of superseded) {
        await client.rest.actions.deleteActionsCacheById({ owner, repo, cache_id: e.id });
        result.deletedEntries++;
        result.deletedBytes += e.size_in_bytes;
        deletedKeys.push(e.key);
      }
    }
  } catch (err) {
    const failure = apiFailure(err, req.token);
    const done = result.deletedEntries > 0 ? ` after deleting ${result.deletedEntries}` : '';
    log.warning(
      failure.status === 403
        ? `Superseded cache entries were not deleted${done}: GitHub refused with 403 (${failure.apiMessage ?? failure.message}). Grant the job 'permissions: ${failure.permission ?? 'actions: write'}' to keep one entry per target set and branch, or set cache-cleanup: false; until then GitHub evicts old entries when the repository's cache is full.`
        : `Superseded cache entries were not deleted${done}: ${failure.status !== null ? `GitHub answered ${failure.status}: ` : ''}${failure.apiMessage ?? failure.message}`,
    );
    return result;
  }
  if (result.deletedEntries > 0) {
    log.info(
      `Cache: deleted ${result.deletedEntries} superseded entr${result.deletedEntries === 1 ? 'y' : 'ies'} of ${ref} (${formatBytes(result.deletedBytes)}): ${deletedKeys.join(', ')}`,
    );
  }
  return result;
}

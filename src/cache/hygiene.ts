// After a save: delete the branch's cache entries nothing uses any more. Every saving run adds an
// entry (keys move per run, entries are immutable), and a repository's cache is one quota shared
// with every workflow, evicted least-recently-used: without this, old copies of the same GOCACHE
// push out other workflows' entries before they push out each other.
//
// The rule, for the entry O a leg just saved (same ref, same kind and runner, same module):
// - A leg is what shares one line of entries: for GOCACHE the Go version, the packages and the
//   compile inputs (targets, flags…); for GOMODCACHE the module; for a delta the same as GOCACHE
//   (only the leg's newest delta is worth keeping: it holds what the older ones held that is used).
// - A GOCACHE entry's deltas go with it. Runs are ordered by the commit
//   time then the run id, both in the key, never by when an entry happened to be created: a run
//   of an older commit that saves late never deletes a newer commit's entry, and a cache list
//   that lags behind a save changes nothing.
// - An older entry of O's own leg is superseded; so is the narrower target set's entry O was
//   restored from (O holds all of it).
// - An entry E of the same packages and compile inputs and another Go version belongs to a
//   sibling leg and is kept, unless its Go version left the matrix: some run F after E's run and
//   before O's run saved an entry of these inputs, and E was not even restored since F's commit
//   was made (a lower bound of F's start: a commit is pushed before its runs start). A sibling
//   leg of O's run or of a later one can therefore not lose its entry (those runs are not
//   between), and one that ran without saving (nothing new to save) restored E and so keeps it.
// - Entries of other packages or compile inputs, other refs, other modules, and keys this
//   version of the action did not write, are never touched; GitHub evicts them when unused.
import { readFile } from 'node:fs/promises';
import type { Logger } from '../log.js';
import { formatBytes } from '../report/format.js';
import { apiFailure, makeClient } from '../github/client.js';
import type { SavedCacheEntry } from '../report/manifest.js';
import { deltaBaseHash } from './keys.js';

/** An entry a job saved: recorded in its manifest, so collect can clean up after the legs. */
export type SavedEntry = SavedCacheEntry;

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
  last_accessed_at: string;
  size_in_bytes: number;
}

/** What a key says about its entry, read from the part after the family. */
interface KeyFacts {
  /** Go version, packages and compile inputs hash (GOCACHE), or '' (GOMODCACHE: one leg per module). */
  leg: string;
  /** Packages and compile inputs hashes; '' for GOMODCACHE. */
  inputs: string;
  commitSeconds: number;
  /** GITHUB_RUN_ID and attempt (0 for GOMODCACHE, whose key has no run). */
  run: number;
  attempt: number;
}

const GOCACHE_TAIL = /^(.+)-([0-9a-f]{8}-[0-9a-f]{16})-(\d+)-(\d+)-(\d+)$/;
const GOMODCACHE_TAIL = /^[0-9a-f]{16}-(\d+)$/;
// A delta: its leg's hash, its base's hash, a fingerprint, the run; any older delta of the leg is superseded.
const DELTA_TAIL = /^([0-9a-f]{16})-[0-9a-f]{16}-[0-9a-f]{16}-(\d+)-(\d+)-(\d+)$/;

function keyFacts(saved: SavedEntry, key: string): KeyFacts | null {
  if (!key.startsWith(saved.family)) return null;
  const tail = key.slice(saved.family.length);
  if (saved.name === 'GOMODCACHE') {
    const m = GOMODCACHE_TAIL.exec(tail);
    return m ? { leg: '', inputs: '', commitSeconds: Number(m[1]), run: 0, attempt: 0 } : null;
  }
  if (saved.name === 'delta') {
    const d = DELTA_TAIL.exec(tail);
    if (!d?.[1]) return null;
    return { leg: d[1], inputs: d[1], commitSeconds: Number(d[2]), run: Number(d[3]), attempt: Number(d[4]) };
  }
  const m = GOCACHE_TAIL.exec(tail);
  if (!m) return null;
  return {
    leg: `${m[1]}-${m[2]}`,
    inputs: m[2] ?? '',
    commitSeconds: Number(m[3]),
    run: Number(m[4]),
    attempt: Number(m[5]),
  };
}

/** Negative when run a is older than run b (commit time, then run id); 0 for the same run. */
function compareRuns(a: KeyFacts, b: KeyFacts): number {
  return a.commitSeconds - b.commitSeconds || a.run - b.run;
}

function olderEntry(a: KeyFacts, b: KeyFacts): boolean {
  return (compareRuns(a, b) || a.attempt - b.attempt) < 0;
}

/** The entries of `listed` that `saved` makes useless (see the rule at the top). */
function supersededBy(saved: SavedEntry, listed: readonly ListedEntry[], ref: string): ListedEntry[] {
  const own = keyFacts(saved, saved.key);
  if (own === null) return [];
  const facts = new Map<ListedEntry, KeyFacts>();
  for (const e of listed) {
    const f = e.ref === ref && e.key !== saved.key ? keyFacts(saved, e.key) : null;
    if (f !== null && (f.inputs === own.inputs || saved.supersedes.includes(e.key))) facts.set(e, f);
  }
  const between = (e: KeyFacts) =>
    [...facts.values()].filter(
      (f) => f.inputs === e.inputs && compareRuns(e, f) < 0 && compareRuns(f, own) < 0,
    );
  return [...facts].flatMap(([entry, e]) => {
    if (!olderEntry(e, own)) return [];
    if (e.leg === own.leg || saved.supersedes.includes(entry.key)) return [entry];
    const restoredAt = Date.parse(entry.last_accessed_at);
    return between(e).some((f) => restoredAt < f.commitSeconds * 1000) ? [entry] : [];
  });
}

const NOTHING: CleanupResult = { deletedEntries: 0, deletedBytes: 0 };

/** Events whose runs for a fork's pull request get a read-only token (pull_request_target does not). */
const FORK_READ_ONLY = ['pull_request', 'pull_request_review', 'pull_request_review_comment'];

/** A pull request from a fork gets a read-only token, whatever the workflow asks for. */
async function pullRequestFromFork(env: CleanupRequest['env']): Promise<boolean> {
  if (!env.GITHUB_EVENT_PATH || !FORK_READ_ONLY.includes(env.GITHUB_EVENT_NAME ?? '')) return false;
  const payload: unknown = await readFile(env.GITHUB_EVENT_PATH, 'utf8')
    .then((text) => JSON.parse(text) as unknown)
    .catch(() => null);
  const head = (payload as { pull_request?: { head?: { repo?: { full_name?: unknown } } } } | null)
    ?.pull_request?.head?.repo?.full_name;
  return typeof head === 'string' && head !== env.GITHUB_REPOSITORY;
}

/** Deletes what the saved entries supersede. Every problem is one warning. */
export async function deleteSuperseded(
  saved: readonly SavedEntry[],
  req: CleanupRequest,
): Promise<CleanupResult> {
  const { env, log } = req;
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const ref = env.GITHUB_REF;
  if (saved.length === 0 || !owner || !repo || !ref || !req.token) return NOTHING;
  if (await pullRequestFromFork(env)) {
    log.info(
      'Cache cleanup skipped: this pull request comes from a fork, whose token cannot delete cache entries; GitHub evicts them when unused',
    );
    return NOTHING;
  }
  const client = await makeClient({
    token: req.token,
    baseUrl: env.GITHUB_API_URL,
    retryBaseMs: req.retryBaseMs,
  });
  const result = { ...NOTHING };
  const deletedKeys: string[] = [];
  try {
    // A delta cleans up GOCACHE as a save of its run's GOCACHE key would, keeping its base.
    const asSaved = saved.flatMap((e) =>
      e.base
        ? [
            {
              name: 'GOCACHE' as const,
              key: e.base.asSaved,
              family: e.base.family,
              supersedes: [],
              deltas: e.family,
              keep: e.base.key,
            },
          ]
        : [],
    );
    for (const entry of [...saved, ...asSaved]) {
      const listed = (await client.paginate(client.rest.actions.getActionsCacheList, {
        owner,
        repo,
        key: entry.family,
        ref,
        per_page: 100,
      })) as ListedEntry[];
      const keep = 'keep' in entry ? entry.keep : null;
      const gone = supersededBy(entry, listed, ref).filter((e) => e.key !== keep);
      if (entry.deltas && gone.length > 0) {
        const bases = new Set(gone.map((e) => deltaBaseHash(e.key)));
        const deltas = (await client.paginate(client.rest.actions.getActionsCacheList, {
          owner,
          repo,
          key: entry.deltas,
          ref,
          per_page: 100,
        })) as ListedEntry[];
        const tail = (key: string) => key.slice((entry.deltas ?? '').length);
        gone.push(
          ...deltas.filter(
            (d) =>
              d.ref === ref && d.key.startsWith(entry.deltas ?? '') && bases.has(tail(d.key).slice(17, 33)),
          ),
        );
      }
      for (const e of gone) {
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

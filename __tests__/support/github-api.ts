// A stand-in for the part of GitHub's REST API a release touches, on 127.0.0.1, so the real
// Octokit client does real HTTP against it. It keeps GitHub's documented behaviours that the
// release step depends on: drafts are listed but not found by tag; lists are paged with Link
// headers (assets at most 100 a page); uploads go to the upload host's path with ?name= and
// refuse a name in use (422 already_exists); published releases of a repository with immutable
// releases refuse every asset change with GitHub's message; an asset download is a 302 to the
// bytes; a missing permission is a 403 naming it in x-accepted-github-permissions. As GitHub does,
// it renames uploaded files whose names hold characters it does not keep, answers secondary rate
// limits with 403 or 429 and retry-after, keeps one published release per tag, and, when asked,
// lets a list lag the write before it, fails a write after doing it, holds requests until a
// second client has caught up, or stops answering (a client killed mid-run). The Actions
// cache endpoints (list by key prefix and ref, delete by id) read and delete the entries a
// results-service emulation holds. Commit statuses are kept as they were posted.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInAsset {
  id: number;
  name: string;
  label: string | null;
  state: 'uploaded' | 'starter';
  bytes: Buffer;
  contentType: string;
  createdAt: string;
  updatedAt: string;
}

export interface StandInRelease {
  id: number;
  tagName: string;
  name: string | null;
  body: string;
  draft: boolean;
  prerelease: boolean;
  immutable: boolean;
  createdAt: string;
  publishedAt: string | null;
  assets: StandInAsset[];
}

export interface Tag {
  /** A lightweight tag has no message. */
  message: string | null;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  /** The release's draft flag when the request was answered (null when it names none). */
  draft: boolean | null;
}

/** The repository's Actions cache as the REST API sees it (the results-service holds the entries). */
export interface CacheStore {
  entries(): {
    id: number;
    key: string;
    version: string;
    ref: string;
    sizeBytes: number;
    finalized: boolean;
    createdAt: string;
    lastAccessedAt: string;
  }[];
  remove(id: number): boolean;
}

export interface StandInOptions {
  owner?: string;
  repo?: string;
  token?: string;
  /** Repositories with immutable releases lock a release when it is published. */
  immutableReleases?: boolean;
  /** Older GitHub Enterprise servers give assets no digest. */
  digests?: boolean;
  caches?: CacheStore;
}

interface Failure {
  match: (method: string, path: string) => boolean;
  status: number;
  remaining: number;
  /** The request takes effect, then the client is told it failed. */
  afterApplying: boolean;
  /** A rate-limit answer: GitHub's message and a retry-after header of this many seconds. */
  retryAfterS: number | null;
  /** The primary limit instead: no request left, x-ratelimit-reset that many seconds ahead. */
  primary?: boolean;
}

/**
 * What happens to one request: `down`, it and every later request answer 500; `refused`, it
 * answers 403; `lost-answer`, it takes effect and answers 502; `killed`, it is answered and no
 * later request is (the client died right after it).
 */
export type Fault = 'down' | 'refused' | 'lost-answer' | 'killed';

interface Hold {
  match: (method: string, path: string) => boolean;
  /** Requests held until this many match at once. */
  count: number;
  waiting: (() => void)[];
}

type Json = Record<string, unknown>;

// Plain fields (no parameter properties): bench/peers.mjs loads this file with Node's type stripping.
class HttpError extends Error {
  readonly status: number;
  readonly body: Json;
  readonly headers: Record<string, string>;
  constructor(status: number, body: Json, headers: Record<string, string> = {}) {
    super(String(body.message));
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

const IMMUTABLE = 'Cannot upload assets to an immutable release.';

export class GitHubStandIn {
  readonly owner: string;
  readonly repo: string;
  readonly token: string;
  immutableReleases: boolean;
  digests: boolean;
  /** Writes answer 403 as for a token without the permission they need. */
  denyWrites = false;
  /** The first list of releases or assets after a write answers as before that write. */
  listsLag = false;
  /** Called after every answered request, with the request's record. */
  onAnswered: ((record: RequestRecord) => void) | null = null;
  readonly caches: CacheStore | null;
  /** The cache list leaves out this many of the newest saves, as GitHub's list does until it catches up. */
  cacheListLag = 0;
  readonly tags = new Map<string, Tag>();
  readonly releases: StandInRelease[] = [];
  /** POST /repos/{owner}/{repo}/statuses/{sha}, in order: the commit and the fields sent. */
  readonly statuses: { sha: string; fields: Json }[] = [];
  readonly requests: RequestRecord[] = [];
  latestReleaseId: number | null = null;
  private nextId = 1;
  private failures: Failure[] = [];
  private holds: Hold[] = [];
  /** Requests that have arrived, answered or not. */
  private arrivals = 0;
  private scheduled: { at: number; fault: Fault } | null = null;
  private beforeLastWrite: StandInRelease[] | null = null;
  private stale: { view: StandInRelease[]; remaining: number } | null = null;
  private server = createServer((req, res) => void this.handle(req, res));
  private base = '';

  constructor(options: StandInOptions = {}) {
    this.owner = options.owner ?? 'octo';
    this.repo = options.repo ?? 'hello';
    this.token = options.token ?? 'ghs_standin';
    this.immutableReleases = options.immutableReleases ?? false;
    this.digests = options.digests ?? true;
    this.caches = options.caches ?? null;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get url(): string {
    return this.base;
  }

  /**
   * The next `count` requests whose "METHOD /path?query" matches answer `status`; with
   * `afterApplying`, each takes effect first (the answer is lost on the way back).
   */
  failNext(match: RegExp, status: number, count = 1, afterApplying = false): void {
    this.failures.push({
      match: (m, p) => match.test(`${m} ${p}`),
      status,
      remaining: count,
      afterApplying,
      retryAfterS: null,
    });
  }

  /** The next `count` matching requests hit GitHub's secondary rate limit (403 or 429 with retry-after). */
  rateLimitNext(match: RegExp, status: 403 | 429, retryAfterS: number, count = 1): void {
    this.failures.push({
      match: (m, p) => match.test(`${m} ${p}`),
      status,
      remaining: count,
      afterApplying: false,
      retryAfterS,
    });
  }

  /** The next `count` matching requests find the primary rate limit used up until `resetInS` seconds from then. */
  exhaustRateLimitNext(match: RegExp, resetInS: number, count = 1): void {
    this.failures.push({
      match: (m, p) => match.test(`${m} ${p}`),
      status: 403,
      remaining: count,
      afterApplying: false,
      retryAfterS: resetInS,
      primary: true,
    });
  }

  /** Matching requests wait until `count` of them are waiting, then all go on (two clients in step). */
  holdUntil(match: RegExp, count: number): void {
    this.holds.push({ match: (m, p) => match.test(`${m} ${p}`), count, waiting: [] });
  }

  /** The `n`th request from now (0: the next) meets `fault`. */
  faultAt(n: number, fault: Fault): void {
    this.scheduled = { at: this.arrivals + n, fault };
  }

  /** Every injected fault, hold and stale view is lifted: GitHub answers normally again. */
  heal(): void {
    this.failures = [];
    this.holds = [];
    this.scheduled = null;
    this.stale = null;
  }

  /** The next `count` lists of releases answer as the releases are now, whatever is written meanwhile. */
  staleReleaseLists(count: number): void {
    this.stale = { view: this.releases.map((r) => ({ ...r, assets: [...r.assets] })), remaining: count };
  }

  /** GitHub's name for an uploaded file: characters it does not keep become '.'. */
  static storedName(name: string): string {
    return name.replace(/[^A-Za-z0-9._+-]/g, '.');
  }

  /** Requests that changed something (every method but GET). */
  writes(): RequestRecord[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  release(tag: string): StandInRelease | undefined {
    return this.releases.find((r) => r.tagName === tag);
  }

  /** Adds a release as if made earlier (by another tool or a person). */
  seedRelease(
    tag: string,
    fields: Partial<Pick<StandInRelease, 'draft' | 'prerelease' | 'body'>> = {},
  ): StandInRelease {
    const now = new Date().toISOString();
    const release: StandInRelease = {
      id: this.nextId++,
      tagName: tag,
      name: tag,
      body: fields.body ?? '',
      draft: fields.draft ?? false,
      prerelease: fields.prerelease ?? false,
      immutable: !(fields.draft ?? false) && this.immutableReleases,
      createdAt: now,
      publishedAt: fields.draft ? null : now,
      assets: [],
    };
    this.releases.push(release);
    return release;
  }

  seedAsset(
    release: StandInRelease,
    name: string,
    bytes: Buffer,
    state: StandInAsset['state'] = 'uploaded',
  ): StandInAsset {
    const now = new Date().toISOString();
    const asset: StandInAsset = {
      id: this.nextId++,
      name,
      label: null,
      state,
      bytes,
      contentType: 'application/octet-stream',
      createdAt: now,
      updatedAt: now,
    };
    release.assets.push(asset);
    return asset;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const arrival = this.arrivals++;
    const scheduled = this.scheduled !== null && arrival >= this.scheduled.at ? this.scheduled.fault : null;
    if (scheduled === 'killed' && arrival > (this.scheduled?.at ?? 0)) {
      req.socket.destroy();
      return;
    }
    if (scheduled === 'down' || (arrival === this.scheduled?.at && scheduled !== 'killed')) {
      this.failures.unshift({
        match: () => true,
        status: scheduled === 'down' ? 500 : scheduled === 'refused' ? 403 : 502,
        remaining: 1,
        afterApplying: scheduled === 'lost-answer',
        retryAfterS: null,
      });
    }
    const hold = this.holds.find((h) => h.match(method, url.pathname + url.search));
    if (hold !== undefined) {
      await new Promise<void>((resolve) => {
        hold.waiting.push(resolve);
        if (hold.waiting.length >= hold.count) {
          this.holds.splice(this.holds.indexOf(hold), 1);
          for (const go of hold.waiting) go();
        }
      });
    }
    let status = 200;
    let draft: boolean | null = null;
    try {
      const failure = this.failures.find(
        (f) => f.remaining > 0 && f.match(method, url.pathname + url.search),
      );
      if (failure !== undefined) {
        failure.remaining--;
        if (failure.afterApplying) {
          this.authenticate(req);
          this.answer(method, url, body, req);
        }
        if (failure.retryAfterS !== null && failure.primary === true) {
          throw new HttpError(
            403,
            {
              message: 'API rate limit exceeded for installation ID 1.',
              documentation_url:
                'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits',
            },
            {
              'x-ratelimit-limit': '5000',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + failure.retryAfterS),
            },
          );
        }
        if (failure.retryAfterS !== null) {
          throw new HttpError(
            failure.status,
            {
              message:
                'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
              documentation_url:
                'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
            },
            { 'retry-after': String(failure.retryAfterS) },
          );
        }
        throw new HttpError(failure.status, { message: `Stand-in failure ${failure.status}` });
      }
      if (!url.pathname.startsWith('/download/')) this.authenticate(req);
      if (method !== 'GET' && this.denyWrites) {
        throw new HttpError(
          403,
          {
            message: 'Resource not accessible by integration',
            documentation_url: 'https://docs.github.com/rest/releases/releases#create-a-release',
          },
          {
            'x-accepted-github-permissions': url.pathname.includes('/actions/')
              ? 'actions=write'
              : 'contents=write',
          },
        );
      }
      const answer = this.answer(method, url, body, req);
      status = answer.status;
      draft = answer.release?.draft ?? null;
      res.writeHead(answer.status, {
        ...(answer.bytes !== undefined
          ? { 'content-type': 'application/octet-stream' }
          : answer.json !== undefined
            ? { 'content-type': 'application/json; charset=utf-8' }
            : {}),
        ...answer.headers,
      });
      res.end(answer.bytes ?? (answer.json !== undefined ? JSON.stringify(answer.json) : undefined));
    } catch (err) {
      const e =
        err instanceof HttpError ? err : new HttpError(500, { message: `Stand-in error: ${String(err)}` });
      status = e.status;
      res.writeHead(e.status, { 'content-type': 'application/json; charset=utf-8', ...e.headers });
      res.end(JSON.stringify(e.body));
    } finally {
      const record = { method, path: url.pathname, status, draft };
      this.requests.push(record);
      this.onAnswered?.(record);
    }
  }

  /** Routes one request; a write first keeps the state it changes, for a list that lags it. */
  private answer(
    method: string,
    url: URL,
    body: Buffer,
    req: IncomingMessage,
  ): ReturnType<GitHubStandIn['route']> {
    if (method !== 'GET') {
      this.beforeLastWrite = this.releases.map((r) => ({ ...r, assets: r.assets.map((a) => ({ ...a })) }));
    }
    return this.route(method, url, body, req);
  }

  /** What a list shows: the state before the last write, once per write, when lists lag. */
  private listed(): StandInRelease[] {
    const lagging = this.listsLag ? this.beforeLastWrite : null;
    this.beforeLastWrite = null;
    return lagging ?? this.releases;
  }

  private authenticate(req: IncomingMessage): void {
    const header = req.headers.authorization ?? '';
    const given = header.replace(/^(token|bearer) /i, '');
    if (given !== this.token) {
      throw new HttpError(401, {
        message: header === '' ? 'Requires authentication' : 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
      });
    }
  }

  private route(
    method: string,
    url: URL,
    body: Buffer,
    req: IncomingMessage,
  ): {
    status: number;
    json?: unknown;
    bytes?: Buffer;
    headers?: Record<string, string>;
    release?: StandInRelease;
  } {
    const p = url.pathname;
    const download = /^\/download\/(\d+)$/.exec(p);
    if (download && method === 'GET') {
      const asset = this.assetById(Number(download[1])).asset;
      return { status: 200, bytes: asset.bytes };
    }
    const upload = /^\/uploads\/repos\/([^/]+)\/([^/]+)\/releases\/(\d+)\/assets$/.exec(p);
    if (upload) {
      this.checkRepo(upload[1], upload[2]);
      if (method !== 'POST') throw notFound();
      const release = this.releaseById(Number(upload[3]));
      return { status: 201, json: this.upload(release, url, body, req), release };
    }
    const m = /^\/repos\/([^/]+)\/([^/]+)\/(.*)$/.exec(p);
    if (!m) throw notFound();
    this.checkRepo(m[1], m[2]);
    const rest = m[3] ?? '';
    let g: RegExpExecArray | null;
    // Octokit sends the ref as one encoded segment (tags%2Fv1.2.0); GitHub takes either spelling.
    if (
      (g = /^git\/ref\/(.+)$/.exec(rest)) &&
      decodeURIComponent(g[1] ?? '').startsWith('tags/') &&
      method === 'GET'
    ) {
      const tag = decodeURIComponent(g[1] ?? '').slice('tags/'.length);
      const t = this.tags.get(tag);
      if (t === undefined) throw notFound();
      return {
        status: 200,
        json: {
          ref: `refs/tags/${tag}`,
          object:
            t.message === null ? { type: 'commit', sha: commitSha(tag) } : { type: 'tag', sha: tagSha(tag) },
        },
      };
    }
    if ((g = /^git\/tags\/([0-9a-f]{40})$/.exec(rest)) && method === 'GET') {
      const entry = [...this.tags].find(([name, t]) => t.message !== null && tagSha(name) === g?.[1]);
      if (entry === undefined) throw notFound();
      return {
        status: 200,
        json: {
          sha: g[1],
          tag: entry[0],
          message: `${entry[1].message}\n`,
          object: { type: 'commit', sha: commitSha(entry[0]) },
        },
      };
    }
    if ((g = /^statuses\/([0-9a-f]{40})$/.exec(rest)) && method === 'POST') {
      const fields = JSON.parse(body.toString('utf8')) as Json;
      this.statuses.push({ sha: g[1] ?? '', fields });
      return { status: 201, json: { id: this.nextId++, ...fields } };
    }
    if (rest === 'actions/caches' && method === 'GET') {
      // key is a prefix, ref exact; newest use first, as GitHub sorts by default.
      const key = url.searchParams.get('key') ?? '';
      const ref = url.searchParams.get('ref');
      const saved = (this.caches?.entries() ?? []).filter((e) => e.finalized);
      const lagging = new Set(
        [...saved]
          .sort((a, b) => b.id - a.id)
          .slice(0, this.cacheListLag)
          .map((e) => e.id),
      );
      const listed = saved
        .filter((e) => !lagging.has(e.id) && e.key.startsWith(key) && (ref === null || e.ref === ref))
        .sort((a, b) => b.lastAccessedAt.localeCompare(a.lastAccessedAt))
        .map((e) => ({
          id: e.id,
          ref: e.ref,
          key: e.key,
          version: e.version,
          last_accessed_at: e.lastAccessedAt,
          created_at: e.createdAt,
          size_in_bytes: e.sizeBytes,
        }));
      const page = this.page(url, listed, 30, 100);
      return { ...page, json: { total_count: listed.length, actions_caches: page.json } };
    }
    if ((g = /^actions\/caches\/(\d+)$/.exec(rest)) && method === 'DELETE') {
      if (!this.caches?.remove(Number(g[1]))) throw notFound();
      return { status: 204 };
    }
    if (rest === 'releases' && method === 'GET') {
      const stale = this.stale !== null && this.stale.remaining-- > 0 ? this.stale.view : null;
      return this.page(
        url,
        [...(stale ?? this.listed())].reverse().map((r) => this.releaseJson(r)),
        30,
        100,
      );
    }
    if (rest === 'releases' && method === 'POST') {
      const release = this.create(json(body));
      return { status: 201, json: this.releaseJson(release), release };
    }
    if (rest === 'releases/generate-notes' && method === 'POST') {
      const tag = String(json(body).tag_name ?? '');
      return { status: 200, json: { name: tag, body: generatedNotes(this, tag) } };
    }
    if ((g = /^releases\/tags\/(.+)$/.exec(rest)) && method === 'GET') {
      const tag = decodeURIComponent(g[1] ?? '');
      const release = this.releases.find((r) => r.tagName === tag && !r.draft);
      if (release === undefined) throw notFound();
      return { status: 200, json: this.releaseJson(release), release };
    }
    if ((g = /^releases\/assets\/(\d+)$/.exec(rest))) {
      const { release, asset } = this.assetById(Number(g[1]));
      if (method === 'GET') {
        if ((req.headers.accept ?? '').includes('application/octet-stream')) {
          return { status: 302, headers: { location: `${this.base}/download/${asset.id}` }, release };
        }
        return { status: 200, json: this.assetJson(asset), release };
      }
      if (method === 'PATCH') {
        refuseIfImmutable(release);
        const fields = json(body);
        if (typeof fields.name === 'string') {
          const name = GitHubStandIn.storedName(fields.name);
          if (release.assets.some((a) => a !== asset && a.name === name))
            throw alreadyExists('ReleaseAsset', 'name');
          asset.name = name;
        }
        if (typeof fields.label === 'string') asset.label = fields.label;
        asset.updatedAt = new Date().toISOString();
        return { status: 200, json: this.assetJson(asset), release };
      }
      if (method === 'DELETE') {
        refuseIfImmutable(release);
        release.assets.splice(release.assets.indexOf(asset), 1);
        return { status: 204, release };
      }
    }
    if ((g = /^releases\/(\d+)\/assets$/.exec(rest)) && method === 'GET') {
      const release = this.releaseById(Number(g[1]));
      const shown = this.listed().find((r) => r.id === release.id) ?? release;
      return {
        ...this.page(
          url,
          shown.assets.map((a) => this.assetJson(a)),
          30,
          100,
        ),
        release,
      };
    }
    if ((g = /^releases\/(\d+)$/.exec(rest))) {
      const release = this.releaseById(Number(g[1]));
      if (method === 'GET') return { status: 200, json: this.releaseJson(release), release };
      if (method === 'PATCH') {
        this.update(release, json(body));
        return { status: 200, json: this.releaseJson(release), release };
      }
      if (method === 'DELETE') {
        this.releases.splice(this.releases.indexOf(release), 1);
        return { status: 204 };
      }
    }
    throw notFound();
  }

  private checkRepo(owner: string | undefined, repo: string | undefined): void {
    if (owner !== this.owner || repo !== this.repo) throw notFound();
  }

  private releaseById(id: number): StandInRelease {
    const release = this.releases.find((r) => r.id === id);
    if (release === undefined) throw notFound();
    return release;
  }

  private assetById(id: number): { release: StandInRelease; asset: StandInAsset } {
    for (const release of this.releases) {
      const asset = release.assets.find((a) => a.id === id);
      if (asset !== undefined) return { release, asset };
    }
    throw notFound();
  }

  private create(fields: Json): StandInRelease {
    const tag = fields.tag_name;
    if (typeof tag !== 'string' || tag === '') {
      throw new HttpError(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'Release', code: 'missing_field', field: 'tag_name' }],
      });
    }
    if (this.releases.some((r) => r.tagName === tag && !r.draft)) throw alreadyExists('Release', 'tag_name');
    // GitHub would create a missing tag from target_commitish; the release step must never ask it to.
    if (!this.tags.has(tag)) this.tags.set(tag, { message: null });
    const draft = fields.draft === true;
    const release = this.seedRelease(tag, { draft, prerelease: fields.prerelease === true });
    release.name = typeof fields.name === 'string' ? fields.name : tag;
    release.body =
      fields.generate_release_notes === true
        ? generatedNotes(this, tag) +
          (typeof fields.body === 'string' && fields.body ? `\n\n${fields.body}` : '')
        : typeof fields.body === 'string'
          ? fields.body
          : '';
    if (!draft) this.markPublished(release, fields.make_latest);
    return release;
  }

  private update(release: StandInRelease, fields: Json): void {
    if (release.immutable && typeof fields.tag_name === 'string' && fields.tag_name !== release.tagName) {
      throw new HttpError(422, { message: 'Cannot change the tag of an immutable release.' });
    }
    if (typeof fields.tag_name === 'string') release.tagName = fields.tag_name;
    if (typeof fields.name === 'string') release.name = fields.name;
    if (typeof fields.body === 'string') release.body = fields.body;
    if (typeof fields.prerelease === 'boolean') release.prerelease = fields.prerelease;
    if (fields.draft === false && release.draft) {
      if (this.releases.some((r) => r !== release && r.tagName === release.tagName && !r.draft))
        throw alreadyExists('Release', 'tag_name');
      release.draft = false;
      this.markPublished(release, fields.make_latest);
    } else if (!release.draft && typeof fields.make_latest === 'string') {
      this.markLatest(release, fields.make_latest);
    }
  }

  private markPublished(release: StandInRelease, makeLatest: unknown): void {
    release.publishedAt = new Date().toISOString();
    release.immutable = this.immutableReleases;
    this.markLatest(release, typeof makeLatest === 'string' ? makeLatest : 'true');
  }

  private markLatest(release: StandInRelease, makeLatest: string): void {
    if (release.prerelease) return;
    // 'legacy': the latest by creation date among published, non-prerelease releases.
    if (makeLatest === 'true' || (makeLatest === 'legacy' && this.latestReleaseId === null)) {
      this.latestReleaseId = release.id;
    }
  }

  private upload(release: StandInRelease, url: URL, body: Buffer, req: IncomingMessage): Json {
    refuseIfImmutable(release);
    const asked = url.searchParams.get('name');
    const name = asked === null ? null : GitHubStandIn.storedName(asked);
    if (name === null || name === '') {
      throw new HttpError(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'ReleaseAsset', code: 'missing_field', field: 'name' }],
      });
    }
    if (release.assets.some((a) => a.name === name)) throw alreadyExists('ReleaseAsset', 'name');
    if (Number(req.headers['content-length']) !== body.length) {
      throw new HttpError(400, { message: 'Content-Length does not match the body' });
    }
    const asset = this.seedAsset(release, name, body);
    asset.label = url.searchParams.get('label');
    asset.contentType = req.headers['content-type'] ?? 'application/octet-stream';
    return this.assetJson(asset);
  }

  private page(
    url: URL,
    items: unknown[],
    perPageDefault: number,
    perPageMax: number,
  ): { status: number; json: unknown[]; headers: Record<string, string> } {
    const perPage = Math.min(
      Number(url.searchParams.get('per_page') ?? perPageDefault) || perPageDefault,
      perPageMax,
    );
    const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (n: number, rel: string) => {
      const next = new URL(url.href);
      next.searchParams.set('per_page', String(perPage));
      next.searchParams.set('page', String(n));
      return `<${next.href}>; rel="${rel}"`;
    };
    const links = [
      ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
      ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : []),
    ];
    return {
      status: 200,
      json: items.slice((page - 1) * perPage, page * perPage),
      headers: links.length > 0 ? { link: links.join(', ') } : {},
    };
  }

  private releaseJson(r: StandInRelease): Json {
    const api = `${this.base}/repos/${this.owner}/${this.repo}`;
    return {
      url: `${api}/releases/${r.id}`,
      assets_url: `${api}/releases/${r.id}/assets`,
      upload_url: `${this.base}/uploads/repos/${this.owner}/${this.repo}/releases/${r.id}/assets{?name,label}`,
      html_url: r.draft
        ? `https://github.com/${this.owner}/${this.repo}/releases/tag/untagged-${r.id}`
        : `https://github.com/${this.owner}/${this.repo}/releases/tag/${r.tagName}`,
      id: r.id,
      tag_name: r.tagName,
      target_commitish: 'main',
      name: r.name,
      body: r.body,
      draft: r.draft,
      prerelease: r.prerelease,
      immutable: r.immutable,
      created_at: r.createdAt,
      published_at: r.publishedAt,
      assets: r.assets.map((a) => this.assetJson(a)),
    };
  }

  private assetJson(a: StandInAsset): Json {
    return {
      url: `${this.base}/repos/${this.owner}/${this.repo}/releases/assets/${a.id}`,
      browser_download_url: `${this.base}/download/${a.id}`,
      id: a.id,
      name: a.name,
      label: a.label,
      state: a.state,
      content_type: a.contentType,
      size: a.bytes.length,
      ...(this.digests ? { digest: `sha256:${createHash('sha256').update(a.bytes).digest('hex')}` } : {}),
      download_count: 0,
      created_at: a.createdAt,
      updated_at: a.updatedAt,
    };
  }
}

function json(body: Buffer): Json {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as Json;
  } catch {
    throw new HttpError(400, { message: 'Problems parsing JSON' });
  }
}

function notFound(): HttpError {
  return new HttpError(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
}

function alreadyExists(resource: string, field: string): HttpError {
  return new HttpError(422, {
    message: 'Validation Failed',
    errors: [{ resource, code: 'already_exists', field }],
  });
}

function refuseIfImmutable(release: StandInRelease): void {
  if (release.immutable)
    throw new HttpError(422, {
      message: IMMUTABLE,
      errors: [{ resource: 'Release', code: 'custom', message: IMMUTABLE }],
    });
}

function commitSha(tag: string): string {
  return createHash('sha1').update(`commit ${tag}`).digest('hex');
}

function tagSha(tag: string): string {
  return createHash('sha1').update(`tag ${tag}`).digest('hex');
}

function generatedNotes(api: GitHubStandIn, tag: string): string {
  return `## What's Changed\n* Generated for ${tag}\n\n**Full Changelog**: https://github.com/${api.owner}/${api.repo}/commits/${tag}`;
}

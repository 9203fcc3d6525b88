/**
 * A local stand-in for the GitHub Actions "results" service, so the REAL @actions/cache and
 * @actions/artifact clients can be exercised offline (protocol notes: shared/research/RUNTIME.md).
 *
 *   const svc = await startResultsService();          // optional { runId, jobId }
 *   Object.assign(process.env, svc.env);              // or pass svc.env to a child process
 *   …
 *   await svc.close();                                 // closes every server and socket
 *
 * Two HTTP servers, both bound to 127.0.0.1 on random free ports, state in memory:
 * - twirp JSON (`POST /twirp/github.actions.results.api.v1.{CacheService,ArtifactService}/<Method>`):
 *   CacheService CreateCacheEntry, FinalizeCacheEntryUpload, GetCacheEntryDownloadURL (exact key,
 *   then key prefix, then each restore key exact then prefix, newest first, same version only; in
 *   the job's ref, then in the default branch);
 *   ArtifactService CreateArtifact, FinalizeArtifact, ListArtifacts, GetSignedArtifactURL,
 *   DeleteArtifact (one artifact name per run; a second finalized one is a 409).
 * - a blob store speaking the subset of Azure Blob the clients use: Put Blob, Put Block,
 *   Put Block List, Get Blob (with `Range` / `x-ms-range`, 206) and HEAD.
 *
 * Options: `runId`/`jobId` of `env`'s token; `clock` stamps cache entries' creation and last use.
 *
 * API of the returned `ResultsService`:
 * - `env`: what a job would get from the runner: ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN (an
 *   unsigned JWT with scp `Actions.Results:<runId>:<jobId>`), ACTIONS_CACHE_SERVICE_V2=true,
 *   GITHUB_SERVER_URL=https://github.com. Callers must not also pass ACTIONS_CACHE_URL.
 * - `envFor(runId, jobId, ref?, attempt?)`: the same env with a token for another run/job (artifact
 *   names are per run attempt). With `attempt`, the job belongs to that run attempt ("Re-run failed
 *   jobs") and the env has GITHUB_RUN_ATTEMPT: its artifacts may take names an earlier attempt
 *   used, and, as GitHub has been measured to do, get LOWER ids than every earlier attempt's.
 *   Downloads resolve an artifact by run, job and name, as the client asks for them.
 * - `fault(method, fault)`: make `method` (a twirp method name or a blob operation `PutBlob`,
 *   `PutBlock`, `PutBlockList`, `GetBlob`, `HeadBlob`) misbehave: `{ status, message? }` answers
 *   that HTTP status (twirp JSON error / Azure XML error); `{ hang: true }` reads the request and
 *   never answers; `{ nonJson: true }` answers 200 with an HTML body; `{ corrupt: true }` (GetBlob)
 *   serves the right length with every byte inverted; `{ reset: true }` destroys the socket
 *   (ECONNRESET). `times: n` limits the fault to the next n calls ("fail n times then succeed");
 *   without it the fault stays until `clearFaults()`.
 * - `refuseConnections()`: closes both listeners, so every later request gets ECONNREFUSED.
 * - `requests`: every request in order ({ server, method, path, status, body, bytes, headers }).
 * - `cacheEntries()`, `artifacts()`: snapshots of the stored state; `blob(url)` the stored bytes.
 * - `close()`: idempotent; destroys hung requests and open sockets so jest can exit.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type CacheMethod = 'CreateCacheEntry' | 'FinalizeCacheEntryUpload' | 'GetCacheEntryDownloadURL';
export type ArtifactMethod =
  'CreateArtifact' | 'FinalizeArtifact' | 'ListArtifacts' | 'GetSignedArtifactURL' | 'DeleteArtifact';
export type BlobMethod = 'PutBlob' | 'PutBlock' | 'PutBlockList' | 'GetBlob' | 'HeadBlob';
export type ServiceMethod = CacheMethod | ArtifactMethod | BlobMethod;

export type Fault = (
  | { status: number; message?: string }
  | { hang: true }
  | { nonJson: true }
  | { corrupt: true }
  | { reset: true }
) & { times?: number };

export interface RequestRecord {
  server: 'twirp' | 'blob';
  method: ServiceMethod | 'Unknown';
  path: string;
  /** HTTP status answered, or what the fault did instead. */
  status: number | 'hang' | 'reset';
  /** Parsed JSON body of twirp requests. */
  body: Record<string, unknown> | null;
  bytes: number;
  headers: http.IncomingHttpHeaders;
}

export interface CacheEntry {
  id: number;
  key: string;
  version: string;
  sizeBytes: number;
  finalized: boolean;
  blobPath: string;
  /** The ref whose job saved it (from the runtime token's `ac` scopes). */
  ref: string;
  createdAt: string;
  lastAccessedAt: string;
}

export interface StoredArtifact {
  id: number;
  runId: string;
  jobId: string;
  name: string;
  expiresAt: string | null;
  mimeType: string | null;
  size: number;
  digest: string | null;
  finalized: boolean;
  createdAt: string;
  blobPath: string;
  /** The run attempt of the job that uploaded it (1 unless envFor named another). */
  attempt: number;
}

export interface ResultsService {
  readonly env: Record<string, string>;
  /** `ref`: the branch the job runs for (refs/heads/main unless given). */
  envFor(runId: string, jobId: string, ref?: string, attempt?: number): Record<string, string>;
  fault(method: ServiceMethod, fault: Fault): void;
  clearFaults(): void;
  refuseConnections(): Promise<void>;
  readonly requests: RequestRecord[];
  cacheEntries(): CacheEntry[];
  /** As the REST API's delete of a cache entry does; false when there was none. */
  removeCacheEntry(id: number): boolean;
  artifacts(): StoredArtifact[];
  blob(url: string): Buffer | undefined;
  close(): Promise<void>;
}

interface Blob {
  data: Buffer;
  contentType: string;
  blocks: Map<string, Buffer>;
  etag: string;
  modified: Date;
}

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.';
const ACCOUNT = 'devstoreaccount1';

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

export const DEFAULT_REF = 'refs/heads/main';

/**
 * An unsigned JWT: the artifact client decodes it without checking a signature. `ac` carries the
 * cache scopes as GitHub's does: the job's ref may write, and (as here) read the default branch.
 */
export function runtimeToken(runId: string, jobId: string, ref = DEFAULT_REF): string {
  const scopes = [
    { Scope: ref, Permission: 3 },
    ...(ref === DEFAULT_REF ? [] : [{ Scope: DEFAULT_REF, Permission: 1 }]),
  ];
  const claims = {
    scp: `Actions.GenericRead:00000000 Actions.Results:${runId}:${jobId}`,
    ac: JSON.stringify(scopes),
    iat: 0,
  };
  return `${base64url('{"alg":"none","typ":"JWT"}')}.${base64url(JSON.stringify(claims))}.x`;
}

/** The ref a runtime token may write cache entries for. */
function tokenRef(authorization: string | undefined): string {
  try {
    const payload = JSON.parse(
      Buffer.from((authorization ?? '').split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as {
      ac?: string;
    };
    const scopes = JSON.parse(payload.ac ?? '[]') as { Scope: string; Permission: number }[];
    return scopes.find((scope) => (scope.Permission & 2) !== 0)?.Scope ?? DEFAULT_REF;
  } catch {
    return DEFAULT_REF;
  }
}

const TWIRP_CODES: Record<number, string> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  409: 'already_exists',
  429: 'resource_exhausted',
  500: 'internal',
  503: 'unavailable',
};

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function stringField(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  return typeof v === 'string' ? v : '';
}

// Plain fields (no parameter properties): bench/cache.mjs loads this file with Node's type stripping.
class TwirpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function startResultsService(
  options: {
    runId?: string;
    jobId?: string;
    /** When cache entries are created and restored; the real clock unless a test drives time. */
    clock?: () => Date;
  } = {},
): Promise<ResultsService> {
  const clock = options.clock ?? (() => new Date());
  const runId = options.runId ?? 'run-1';
  const jobId = options.jobId ?? 'job-1';
  const requests: RequestRecord[] = [];
  const faults = new Map<ServiceMethod, Fault>();
  const blobs = new Map<string, Blob>();
  const cache: CacheEntry[] = [];
  const artifacts: StoredArtifact[] = [];
  const hung = new Set<http.ServerResponse>();
  const sockets = new Set<Socket>();
  let nextId = 1;
  /** Run attempt by run and job (`run\0job`), from envFor. */
  const attempts = new Map<string, number>();
  const attemptOf = (run: string, job: string) => attempts.get(`${run}\u0000${job}`) ?? 1;
  /** Artifact ids: each attempt's below every earlier attempt's, as GitHub's re-runs have been seen to get. */
  const artifactId = (attempt: number) => (1000 - attempt) * 1_000_000 + nextId++;

  // A request that breaks mid-way (client gone) just drops its socket.
  const serve = (server: 'twirp' | 'blob') => (req: http.IncomingMessage, res: http.ServerResponse) =>
    void handle(server, req, res).catch(() => res.destroy());
  const twirpServer = http.createServer(serve('twirp'));
  const blobServer = http.createServer(serve('blob'));
  for (const server of [twirpServer, blobServer]) {
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
  }
  const listen = (server: http.Server) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const twirpPort = await listen(twirpServer);
  const blobPort = await listen(blobServer);
  const blobUrl = (blobPath: string, perms: string) =>
    `http://127.0.0.1:${blobPort}${blobPath}?sv=2025-11-05&sr=b&sp=${perms}&sig=local`;

  /** Takes the pending fault for a method, counting down `times`. */
  function takeFault(method: ServiceMethod | 'Unknown'): Fault | undefined {
    if (method === 'Unknown') return undefined;
    const f = faults.get(method);
    if (!f) return undefined;
    if (f.times !== undefined) {
      if (f.times <= 1) faults.delete(method);
      else faults.set(method, { ...f, times: f.times - 1 });
    }
    return f;
  }

  function blobMethod(req: http.IncomingMessage, url: URL): BlobMethod | 'Unknown' {
    const comp = url.searchParams.get('comp');
    if (req.method === 'PUT' && comp === 'block') return 'PutBlock';
    if (req.method === 'PUT' && comp === 'blocklist') return 'PutBlockList';
    if (req.method === 'PUT' && !comp) return 'PutBlob';
    if (req.method === 'GET') return 'GetBlob';
    if (req.method === 'HEAD') return 'HeadBlob';
    return 'Unknown';
  }

  async function handle(server: 'twirp' | 'blob', req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let method: ServiceMethod | 'Unknown' = 'Unknown';
    if (server === 'twirp' && url.pathname.startsWith(TWIRP_PREFIX)) {
      method = (url.pathname.split('/').pop() ?? 'Unknown') as ServiceMethod;
    } else if (server === 'blob') {
      method = blobMethod(req, url);
    }
    const raw = await readBody(req);
    let body: Record<string, unknown> | null = null;
    if (server === 'twirp') {
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        body = null;
      }
    }
    const record: RequestRecord = {
      server,
      method,
      path: url.pathname + url.search,
      status: 0,
      body,
      bytes: raw.length,
      headers: req.headers,
    };
    requests.push(record);

    const fault = takeFault(method);
    if (fault && 'hang' in fault) {
      record.status = 'hang';
      hung.add(res);
      return;
    }
    if (fault && 'reset' in fault) {
      record.status = 'reset';
      req.socket.destroy();
      return;
    }
    if (fault && 'status' in fault) {
      record.status = fault.status;
      const message = fault.message ?? `injected fault ${fault.status}`;
      if (server === 'twirp')
        sendJson(res, fault.status, { code: TWIRP_CODES[fault.status] ?? 'unknown', msg: message });
      else sendBlobError(res, fault.status, 'InjectedFault', message);
      return;
    }
    if (fault && 'nonJson' in fault) {
      record.status = 200;
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>not json</body></html>');
      return;
    }
    const corrupt = fault !== undefined && 'corrupt' in fault;
    try {
      if (server === 'twirp') {
        if (!req.headers.authorization?.startsWith('Bearer '))
          throw new TwirpError(401, 'missing bearer token');
        if (body === null) throw new TwirpError(400, 'request body is not JSON');
        const answer = twirp(method, body, tokenRef(req.headers.authorization));
        record.status = 200;
        sendJson(res, 200, answer);
      } else {
        record.status = serveBlob(method, req, url, raw, res, corrupt);
      }
    } catch (e) {
      const status = e instanceof TwirpError ? e.status : 500;
      record.status = status;
      if (server === 'twirp')
        sendJson(res, status, { code: TWIRP_CODES[status] ?? 'unknown', msg: String((e as Error).message) });
      else sendBlobError(res, status, 'InternalError', String((e as Error).message));
    }
  }

  function sendJson(res: http.ServerResponse, status: number, value: unknown) {
    const text = JSON.stringify(value);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  function sendBlobError(res: http.ServerResponse, status: number, code: string, message: string) {
    const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
    res.writeHead(status, {
      'Content-Type': 'application/xml',
      'Content-Length': Buffer.byteLength(xml),
      'x-ms-error-code': code,
      'x-ms-request-id': randomUUID(),
    });
    res.end(xml);
  }

  function blobHeaders(blob: Blob): Record<string, string> {
    return {
      ETag: blob.etag,
      'Last-Modified': blob.modified.toUTCString(),
      'x-ms-request-id': randomUUID(),
      'x-ms-version': '2025-11-05',
      'x-ms-blob-type': 'BlockBlob',
      'Accept-Ranges': 'bytes',
      'Content-Type': blob.contentType,
    };
  }

  function touch(blob: Blob) {
    blob.etag = `"0x${Date.now().toString(16)}${nextId++}"`;
    blob.modified = new Date();
  }

  function serveBlob(
    method: ServiceMethod | 'Unknown',
    req: http.IncomingMessage,
    url: URL,
    raw: Buffer,
    res: http.ServerResponse,
    corrupt: boolean,
  ): number {
    const key = url.pathname;
    const contentType = req.headers['x-ms-blob-content-type'];
    const existing = blobs.get(key);
    const blob: Blob = existing ?? {
      data: Buffer.alloc(0),
      contentType: 'application/octet-stream',
      blocks: new Map(),
      etag: '',
      modified: new Date(),
    };
    const created = (status: number) => {
      res.writeHead(status, {
        ...blobHeaders(blob),
        'Content-Length': '0',
        'x-ms-request-server-encrypted': 'true',
      });
      res.end();
      return status;
    };
    switch (method) {
      case 'PutBlob':
        blob.data = raw;
        if (typeof contentType === 'string') blob.contentType = contentType;
        touch(blob);
        blobs.set(key, blob);
        return created(201);
      case 'PutBlock':
        blob.blocks.set(url.searchParams.get('blockid') ?? '', raw);
        blobs.set(key, blob);
        return created(201);
      case 'PutBlockList': {
        const ids = [...raw.toString('utf8').matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)].map(
          (m) => m[2] ?? '',
        );
        const parts: Buffer[] = [];
        for (const id of ids) {
          const part = blob.blocks.get(id);
          if (!part) {
            sendBlobError(res, 400, 'InvalidBlockList', `block ${id} was never staged`);
            return 400;
          }
          parts.push(part);
        }
        blob.data = Buffer.concat(parts);
        blob.blocks.clear();
        if (typeof contentType === 'string') blob.contentType = contentType;
        touch(blob);
        blobs.set(key, blob);
        return created(201);
      }
      case 'GetBlob':
      case 'HeadBlob': {
        if (!existing || existing.etag === '') {
          sendBlobError(res, 404, 'BlobNotFound', 'The specified blob does not exist.');
          return 404;
        }
        const data = corrupt ? Buffer.from(existing.data.map((b) => 255 - b)) : existing.data;
        const range = /^bytes=(\d+)-(\d*)$/.exec(
          String(req.headers['x-ms-range'] ?? req.headers.range ?? ''),
        );
        let status = 200;
        let slice = data;
        const headers = blobHeaders(existing);
        if (range && method === 'GetBlob') {
          const start = Number(range[1]);
          const end = Math.min(range[2] ? Number(range[2]) : data.length - 1, data.length - 1);
          slice = data.subarray(start, end + 1);
          status = 206;
          headers['Content-Range'] = `bytes ${start}-${end}/${data.length}`;
        }
        res.writeHead(status, { ...headers, 'Content-Length': String(slice.length) });
        res.end(method === 'GetBlob' ? slice : undefined);
        return status;
      }
      default:
        sendBlobError(res, 405, 'UnsupportedHttpVerb', `unsupported ${req.method ?? ''}`);
        return 405;
    }
  }

  function twirp(method: ServiceMethod | 'Unknown', body: Record<string, unknown>, ref: string): unknown {
    switch (method) {
      case 'CreateCacheEntry': {
        const key = stringField(body, 'key');
        const version = stringField(body, 'version');
        if (cache.some((e) => e.key === key && e.version === version && e.ref === ref)) {
          return { ok: false, signed_upload_url: '', message: 'cache entry already exists' };
        }
        const now = clock().toISOString();
        const entry: CacheEntry = {
          id: nextId++,
          key,
          version,
          sizeBytes: 0,
          finalized: false,
          blobPath: `/${ACCOUNT}/actions-cache/${randomUUID()}/cache`,
          ref,
          createdAt: now,
          lastAccessedAt: now,
        };
        cache.push(entry);
        return { ok: true, signed_upload_url: blobUrl(entry.blobPath, 'cw') };
      }
      case 'FinalizeCacheEntryUpload': {
        const entry = cache.find(
          (e) =>
            e.key === stringField(body, 'key') &&
            e.version === stringField(body, 'version') &&
            e.ref === ref &&
            !e.finalized,
        );
        if (!entry)
          return { ok: false, entry_id: '0', message: 'no cache entry is being uploaded under this key' };
        entry.finalized = true;
        entry.sizeBytes = Number(stringField(body, 'size_bytes'));
        return { ok: true, entry_id: String(entry.id) };
      }
      case 'GetCacheEntryDownloadURL': {
        const version = stringField(body, 'version');
        const restoreKeys = Array.isArray(body.restore_keys) ? body.restore_keys.map(String) : [];
        // As GitHub documents it: the key and every restore key in the job's own ref first, then
        // the same in the default branch.
        const visible = cache.filter((e) => e.finalized && e.version === version);
        const refs = ref === DEFAULT_REF ? [ref] : [ref, DEFAULT_REF];
        for (const scope of refs) {
          const candidates = visible.filter((e) => e.ref === scope).reverse();
          for (const wanted of [stringField(body, 'key'), ...restoreKeys]) {
            const match =
              candidates.find((e) => e.key === wanted) ?? candidates.find((e) => e.key.startsWith(wanted));
            if (match) {
              match.lastAccessedAt = clock().toISOString();
              return { ok: true, signed_download_url: blobUrl(match.blobPath, 'r'), matched_key: match.key };
            }
          }
        }
        return { ok: false, signed_download_url: '', matched_key: '' };
      }
      case 'CreateArtifact': {
        const [run, job, name] = ids(body);
        const attempt = attemptOf(run, job);
        const same = (a: StoredArtifact) => a.runId === run && a.name === name && a.attempt === attempt;
        if (artifacts.some((a) => same(a) && a.finalized)) {
          throw new TwirpError(409, 'an artifact with this name already exists on the workflow run');
        }
        const pending = artifacts.findIndex(same);
        if (pending >= 0) artifacts.splice(pending, 1);
        const mime = body.mime_type;
        const artifact: StoredArtifact = {
          id: artifactId(attempt),
          attempt,
          runId: run,
          jobId: job,
          name,
          expiresAt: typeof body.expires_at === 'string' ? body.expires_at : null,
          mimeType: typeof mime === 'string' ? mime : null,
          size: 0,
          digest: null,
          finalized: false,
          createdAt: new Date().toISOString(),
          blobPath: `/${ACCOUNT}/actions-results/${run}/${job}/${randomUUID()}`,
        };
        artifacts.push(artifact);
        return { ok: true, signed_upload_url: blobUrl(artifact.blobPath, 'cw') };
      }
      case 'FinalizeArtifact': {
        const [run, job, name] = ids(body);
        const artifact = artifacts.find(
          (a) => a.runId === run && a.name === name && a.attempt === attemptOf(run, job) && !a.finalized,
        );
        if (!artifact) throw new TwirpError(404, `no artifact named ${name} is being uploaded`);
        artifact.finalized = true;
        artifact.size = Number(stringField(body, 'size'));
        artifact.digest = typeof body.hash === 'string' ? body.hash : null;
        return { ok: true, artifact_id: String(artifact.id) };
      }
      case 'ListArtifacts': {
        const [run] = ids(body);
        const nameFilter = body.name_filter;
        const idFilter = body.id_filter;
        const found = artifacts.filter(
          (a) =>
            a.finalized &&
            a.runId === run &&
            (typeof nameFilter !== 'string' || a.name === nameFilter) &&
            (idFilter === undefined || String(a.id) === String(idFilter)),
        );
        return {
          artifacts: found.map((a) => ({
            workflow_run_backend_id: a.runId,
            workflow_job_run_backend_id: a.jobId,
            database_id: String(a.id),
            name: a.name,
            size: String(a.size),
            created_at: a.createdAt,
            ...(a.digest ? { digest: a.digest } : {}),
          })),
        };
      }
      case 'GetSignedArtifactURL': {
        const [run, job, name] = ids(body);
        const artifact = artifacts.find(
          (a) => a.runId === run && a.jobId === job && a.name === name && a.finalized,
        );
        if (!artifact) throw new TwirpError(404, `artifact ${name} not found`);
        return { signed_url: blobUrl(artifact.blobPath, 'r') };
      }
      case 'DeleteArtifact': {
        const [run, , name] = ids(body);
        const index = artifacts.findIndex((a) => a.runId === run && a.name === name && a.finalized);
        const artifact = artifacts[index];
        if (!artifact) throw new TwirpError(404, `artifact ${name} not found`);
        artifacts.splice(index, 1);
        blobs.delete(artifact.blobPath);
        return { ok: true, artifact_id: String(artifact.id) };
      }
      default:
        throw new TwirpError(404, `no such method ${method}`);
    }
  }

  function ids(body: Record<string, unknown>): [string, string, string] {
    return [
      stringField(body, 'workflow_run_backend_id'),
      stringField(body, 'workflow_job_run_backend_id'),
      stringField(body, 'name'),
    ];
  }

  const envFor = (run: string, job: string, ref?: string, attempt?: number): Record<string, string> => {
    if (attempt !== undefined) attempts.set(`${run}\u0000${job}`, attempt);
    return {
      ACTIONS_RESULTS_URL: `http://127.0.0.1:${twirpPort}/`,
      ACTIONS_RUNTIME_TOKEN: runtimeToken(run, job, ref),
      ACTIONS_CACHE_SERVICE_V2: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      ...(attempt !== undefined ? { GITHUB_RUN_ATTEMPT: String(attempt) } : {}),
    };
  };

  const closeServer = (server: http.Server) =>
    new Promise<void>((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
      server.closeAllConnections();
    });

  const stopListening = async () => {
    for (const res of hung) res.destroy();
    hung.clear();
    const closing = Promise.all([closeServer(twirpServer), closeServer(blobServer)]);
    for (const s of sockets) s.destroy();
    await closing;
  };

  return {
    env: envFor(runId, jobId),
    envFor,
    fault: (method, f) => void faults.set(method, f),
    clearFaults: () => faults.clear(),
    refuseConnections: stopListening,
    requests,
    cacheEntries: () => cache.map((e) => ({ ...e })),
    removeCacheEntry: (id) => {
      const at = cache.findIndex((e) => e.id === id);
      if (at < 0) return false;
      const [entry] = cache.splice(at, 1);
      if (entry) blobs.delete(entry.blobPath);
      return true;
    },
    artifacts: () => artifacts.map((a) => ({ ...a })),
    blob: (url) => blobs.get(new URL(url).pathname)?.data,
    close: stopListening,
  };
}

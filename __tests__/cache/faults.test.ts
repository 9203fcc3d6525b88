// Cache trouble of every kind ends as a warning, never as a thrown error; a service that keeps
// failing or never answers is cut off by our own timeout, which the warning names (no wall-clock
// limit: a loaded machine can miss one).
import { afterEach, describe, expect, it } from '@jest/globals';
import type { CacheRequest } from '../../src/cache/index.js';
import { restoreCaches, saveCaches } from '../../src/cache/index.js';
import { MemoryLogger } from '../../src/log.js';
import type { ResultsService } from '../support/results-service.js';
import { startResultsService } from '../support/results-service.js';
import { jobEnv, request, tempDir, warnings, writeGoEntry } from './helpers.js';

let svc: ResultsService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

async function setup(
  runId = '1',
  extra: Partial<CacheRequest> = {},
): Promise<{ svc: ResultsService; req: CacheRequest }> {
  svc = await startResultsService();
  const root = tempDir('fault');
  const req = request(root, jobEnv(svc.env, root, runId), { timeoutMs: 1500, ...extra });
  return { svc, req };
}

/** Restore, a "build" that writes one entry, save; returns what was warned. */
async function cycle(req: CacheRequest): Promise<{ warned: string[]; hit: string }> {
  const log = new MemoryLogger();
  const restored = await restoreCaches(req, log);
  writeGoEntry(req.gocache);
  await saveCaches(req, restored, log);
  return { warned: warnings(log), hit: restored.hit };
}

/** Saves one real entry so that restores have something to download. Its tests allow a slow,
 * healthy save (the suite loads both cores), so they set a long timeout. */
async function seed(req: CacheRequest): Promise<void> {
  const log = new MemoryLogger();
  const restored = await restoreCaches(req, log);
  writeGoEntry(req.gocache);
  await saveCaches(req, restored, log);
  expect(warnings(log)).toEqual([]);
}

describe('cache faults', () => {
  // Where the fault, not our timeout, must end the call, the timeout is long: a loaded machine
  // may take more than a second or two over a healthy call.
  it('service refusing connections', async () => {
    const { svc, req } = await setup('1', { timeoutMs: 20_000 });
    await svc.refuseConnections();
    const { warned } = await cycle(req);
    expect(warned.join('\n')).toMatch(/GOCACHE was not restored: Failed to restore: .*ECONNREFUSED/);
    expect(warned.join('\n')).toMatch(/GOCACHE was not saved: .*Unable to reserve cache/);
  });

  it('service answering 500 on every call: our timeout ends the client retries', async () => {
    const { svc, req } = await setup();
    for (const m of ['GetCacheEntryDownloadURL', 'CreateCacheEntry'] as const) svc.fault(m, { status: 500 });
    const { warned } = await cycle(req);
    expect(warned).toEqual([
      expect.stringMatching(/GOMODCACHE was not restored: Restoring GOMODCACHE did not answer within 1.5 s/),
      expect.stringMatching(/GOCACHE was not restored: Restoring GOCACHE did not answer within 1.5 s/),
      expect.stringMatching(/GOCACHE was not saved: Saving GOCACHE did not answer within 1.5 s/),
    ]);
  });

  it('one 500 is absorbed by the client retrying by itself', async () => {
    const { svc, req } = await setup('1', { timeoutMs: 20_000 });
    await seed(req);
    svc.fault('GetCacheEntryDownloadURL', { status: 500, times: 1 });
    const from = svc.requests.length;
    const log = new MemoryLogger();
    const restored = await restoreCaches({ ...req, env: { ...req.env, GITHUB_RUN_ID: '2' } }, log);
    expect(warnings(log)).toEqual([]);
    expect(restored.hit).toBe('true');
    // The 500 was served once; every other lookup, the retry among them, was answered 200.
    const lookups = svc.requests
      .slice(from)
      .filter((q) => q.method === 'GetCacheEntryDownloadURL')
      .map((q) => q.status);
    expect(lookups.filter((status) => status !== 200)).toEqual([500]);
    expect(lookups.length).toBeGreaterThanOrEqual(2);
  });

  it('service that never answers', async () => {
    const { svc, req } = await setup('1', { timeoutMs: 500 });
    for (const m of ['GetCacheEntryDownloadURL', 'CreateCacheEntry'] as const) svc.fault(m, { hang: true });
    const { warned } = await cycle(req);
    expect(warned).toHaveLength(3);
    expect(warned.every((w) => /did not answer within 500 ms/.test(w))).toBe(true);
  });

  it('service that stops answering after the upload', async () => {
    // Long enough for the healthy restore and upload on a loaded machine; only the hang ends it.
    const { svc, req } = await setup('1', { timeoutMs: 5000 });
    svc.fault('FinalizeCacheEntryUpload', { hang: true });
    const { warned } = await cycle(req);
    expect(warned).toEqual([
      expect.stringMatching(/GOCACHE was not saved: Saving GOCACHE did not answer within 5 s/),
    ]);
    // The upload went through and the finalize met the hang.
    const calls = svc.requests.map((q) => [q.method, q.status]);
    expect(calls).toContainEqual(['FinalizeCacheEntryUpload', 'hang']);
  });

  it('corrupt archive', async () => {
    const { svc, req } = await setup('1', { timeoutMs: 20_000 });
    await seed(req);
    svc.fault('GetBlob', { corrupt: true });
    const { warned, hit } = await cycle({ ...req, env: { ...req.env, GITHUB_RUN_ID: '2' } });
    expect(warned).toEqual([expect.stringMatching(/GOCACHE was not restored: .*tar/)]);
    expect(hit).toBe('false');
  });

  it('rate limiting (429) and a refused blob upload (403)', async () => {
    const { svc, req } = await setup('1', { timeoutMs: 20_000 });
    svc.fault('GetCacheEntryDownloadURL', { status: 429, message: 'too many requests' });
    svc.fault('PutBlob', { status: 403, message: 'signature expired' });
    const { warned } = await cycle(req);
    expect(warned.join('\n')).toMatch(/GOCACHE was not restored: .*429/);
    expect(warned.join('\n')).toMatch(/GOCACHE was not saved: .*signature expired/);
  });

  it('the service refusing an entry that already exists', async () => {
    const { svc, req } = await setup('1', { timeoutMs: 20_000 });
    await seed(req);
    // A restore that failed leaves the run's own key, already saved, to be saved again.
    svc.fault('GetCacheEntryDownloadURL', { status: 404 });
    const { warned } = await cycle(req);
    expect(warned.join('\n')).toMatch(/GOCACHE was not saved: .*(already exists|another job)/);
  });
});

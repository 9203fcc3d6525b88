// Issue 27 item 9: the reusable workflow's build legs only read (contents: read), so they save a
// new GOCACHE entry every run and delete nothing. Each leg's manifest records what it saved; the
// collect job, which declares actions: write, merges the legs' manifests and deletes what every
// leg's save superseded. Real @actions/cache saves into the results-service emulation, and the
// REST client lists and deletes through the GitHub API stand-in, as in hygiene.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CacheRecord } from '../../src/cache/index.js';
import { restoreCaches, saveCaches } from '../../src/cache/index.js';
import { deleteSuperseded } from '../../src/cache/hygiene.js';
import { mergeManifests } from '../../src/collect/merge.js';
import { MemoryLogger } from '../../src/log.js';
import { GitHubStandIn } from '../support/github-api.js';
import type { ResultsService } from '../support/results-service.js';
import { startResultsService } from '../support/results-service.js';
import { entry, manifest } from '../report/fixtures.js';
import { jobEnv, tempDir, warnings, writeGoEntry } from './helpers.js';

let svc: ResultsService;
let api: GitHubStandIn;
let now = Date.parse('2026-02-01T00:00:00Z');
beforeAll(async () => {
  svc = await startResultsService({ clock: () => new Date(now) });
  api = new GitHubStandIn({
    caches: { entries: () => svc.cacheEntries(), remove: (id) => svc.removeCacheEntry(id) },
  });
  await api.start();
});
afterAll(async () => {
  await api.stop();
  await svc.close();
});

const PREFIX = 'legs';
const TARGETS = { a: 'linux/amd64 GOAMD64=v1', b: 'windows/arm64' };

/** One build leg of run `run`, on a fresh runner, with the reusable workflow's cache-cleanup: false. */
async function leg(
  run: number,
  target: string,
  commitSeconds: number,
  modules: boolean,
): Promise<CacheRecord> {
  const root = tempDir('legs');
  const moduleDir = path.join(root, 'module');
  mkdirSync(moduleDir);
  writeFileSync(path.join(moduleDir, 'go.mod'), 'module example.com/app\n\ngo 1.23\n');
  writeFileSync(path.join(moduleDir, 'go.sum'), 'example.com/dep v1.0.0 h1:abc=\n');
  const req = {
    mode: 'true' as const,
    keyPrefix: PREFIX,
    env: {
      ...jobEnv(svc.envFor(`run-${run}`, target, 'refs/heads/main'), root, String(run)),
      GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_API_URL: api.url,
    },
    goVersion: 'go1.26.7',
    gocache: path.join(root, 'go-build'),
    gomodcache: path.join(root, 'mod'),
    moduleDir,
    commitSeconds,
    packages: ['.'],
    compileInputs: [target, 'module=example.com/app', 'CGO_ENABLED=0'],
    timeoutMs: 20_000,
    cleanupToken: null,
    apiRetryMs: 5,
  };
  const log = new MemoryLogger();
  const restored = await restoreCaches(req, log);
  // One leg downloads the modules (the other finds the same go.sum's entry and adds nothing).
  if (modules) {
    mkdirSync(path.join(req.gomodcache, 'cache', 'download'), { recursive: true });
    writeFileSync(path.join(req.gomodcache, 'cache', 'download', 'dep.zip'), 'module bytes');
  }
  for (let i = 0; i < 3; i++) writeGoEntry(req.gocache);
  const record = await saveCaches(req, restored, log);
  expect(warnings(log)).toEqual([]);
  now += 10_000;
  return record;
}

const stored = () =>
  svc
    .cacheEntries()
    .filter((e) => e.finalized && e.key.startsWith(`${PREFIX}-`))
    .map((e) =>
      e.key
        .replace(/^legs-(gomod|gocache)-Linux-X64-.*-(\d+)-(\d+)-1$/, '$1 run $3')
        .replace(/^legs-gomod-.*$/, 'gomod'),
    )
    .sort();

describe('collect cleans up the cache entries of legs that cannot', () => {
  it('legs record what they saved; collect deletes what every leg’s save superseded, nothing else', async () => {
    const commit1 = Math.floor(now / 1000);
    await leg(3001, TARGETS.a, commit1, true);
    await leg(3001, TARGETS.b, commit1, false);
    now += 60_000;
    const commit2 = Math.floor(now / 1000);
    const a = await leg(3002, TARGETS.a, commit2, true);
    const b = await leg(3002, TARGETS.b, commit2, false);
    // Without collect every run adds one entry per leg (and GOMODCACHE: each runner's own paths).
    expect(stored()).toEqual([
      'gocache run 3001',
      'gocache run 3001',
      'gocache run 3002',
      'gocache run 3002',
      'gomod',
      'gomod',
    ]);
    // What each leg saved rides in its manifest; the merge keeps every leg's.
    expect(a.saved?.map((s) => [s.name, s.key])).toEqual([
      ['GOMODCACHE', expect.stringMatching(/^legs-gomod-/)],
      ['GOCACHE', expect.stringMatching(/-3002-1$/)],
    ]);
    const merged = mergeManifests(
      [manifest([entry('linux/amd64')], { cache: a }), manifest([entry('windows/arm64')], { cache: b })],
      ['linux/amd64', 'windows/arm64'],
    );
    expect(merged.manifest.cache?.saved?.map((s) => s.key).sort()).toEqual(
      [...(a.saved ?? []), ...(b.saved ?? [])].map((s) => s.key).sort(),
    );

    // The collect job (its own runner, actions: write) deletes each leg's run-3001 entry and the
    // older GOMODCACHE entry.
    const log = new MemoryLogger();
    const result = await deleteSuperseded(merged.manifest.cache?.saved ?? [], {
      token: api.token,
      env: {
        GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
        GITHUB_REF: 'refs/heads/main',
        GITHUB_API_URL: api.url,
      },
      retryBaseMs: 5,
      log,
    });
    expect(warnings(log)).toEqual([]);
    expect(result.deletedEntries).toBe(3);
    expect(stored()).toEqual(['gocache run 3002', 'gocache run 3002', 'gomod']);
  });

  it('a cleanup that meets a rate limit, a lost answer and a dead client converges on the next run', async () => {
    // Two runs of both legs: run 3003's entries (and anything older) are superseded by run 3004's.
    const saved: CacheRecord[] = [];
    for (const run of [3003, 3004]) {
      const commit = Math.floor(now / 1000);
      saved.push(await leg(run, TARGETS.a, commit, true), await leg(run, TARGETS.b, commit, false));
      now += 60_000;
    }
    const keys = saved.slice(2).flatMap((c) => c.saved ?? []);
    const cleanup = (log: MemoryLogger) =>
      deleteSuperseded(keys, {
        token: api.token,
        env: {
          GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
          GITHUB_REF: 'refs/heads/main',
          GITHUB_API_URL: api.url,
        },
        retryBaseMs: 5,
        log,
      });
    const from = api.requests.length;
    // The first delete meets GitHub's secondary limit (429, retry-after), the next takes effect but
    // its answer is lost, and the client dies after the one after that.
    api.rateLimitNext(/^DELETE .*\/actions\/caches\//, 429, 0);
    api.failNext(/^DELETE .*\/actions\/caches\//, 502, 1, true);
    api.faultAt(4, 'killed');
    await cleanup(new MemoryLogger());
    api.heal();
    const served = api.requests.slice(from).map((r) => `${r.method} ${r.status}`);
    expect(served).toEqual(expect.arrayContaining(['DELETE 429', 'DELETE 502']));
    // The next run's collect finishes the job: every superseded entry gone, the newest kept.
    const log = new MemoryLogger();
    await cleanup(log);
    expect(warnings(log)).toEqual([]);
    expect(stored()).toEqual(['gocache run 3004', 'gocache run 3004', 'gomod']);
  });
});

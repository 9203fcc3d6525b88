// The save/restore contract against the local results service with hand-made GOCACHE entries:
// keys, exact vs restore-key hits, pruning, restore-only, cache: false, outside Actions.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { directorySize } from '../../src/cache/gocache.js';
import { cacheRecord, restoreCaches, saveCaches } from '../../src/cache/index.js';
import { MemoryLogger } from '../../src/log.js';
import type { ResultsService } from '../support/results-service.js';
import { startResultsService } from '../support/results-service.js';
import { jobEnv, moduleDir, request, tempDir, warnings, writeGoEntry } from './helpers.js';

let svc: ResultsService;
beforeAll(async () => {
  svc = await startResultsService();
});
afterAll(async () => {
  await svc.close();
});

describe('restore and save against the results service', () => {
  it('saves only what the run used of what it restored, and the next run restores it by restore key', async () => {
    const root = tempDir('svc');
    const gocache = path.join(root, 'gocache');
    const used = writeGoEntry(gocache);
    const unused = writeGoEntry(gocache);
    writeFileSync(
      path.join(gocache, 'README'),
      'This directory holds cached build artifacts from the Go build system.\n',
    );
    // Run 1 has nothing to restore: what the machine had is not its to prune, it saves it all.
    const req = request(root, jobEnv(svc.env, root, '1'));
    const log1 = new MemoryLogger();
    const restored1 = await restoreCaches(req, log1);
    expect(restored1).toMatchObject({ active: true, hit: 'false' });
    const record1 = await saveCaches(req, restored1, log1);
    expect(warnings(log1)).toEqual([]);
    expect([used.a, used.d, unused.a, unused.d].every((f) => existsSync(f))).toBe(true);
    expect(record1.savedBytes).toBe(await directorySize(gocache));

    // Run 2, a fresh runner: "the build" reads one restored entry, so cmd/go bumps its mtime, and writes another.
    rmSync(gocache, { recursive: true });
    const req2 = request(root, jobEnv(svc.env, root, '2'));
    const log2 = new MemoryLogger();
    const restored2 = await restoreCaches(req2, log2);
    expect(restored2.entries.find((e) => e.name === 'GOCACHE')?.matchedKey).toBe(record1.key);
    const now = new Date();
    for (const f of [used.a, used.d]) utimesSync(f, now, now);
    const fresh = writeGoEntry(gocache);
    const record2 = await saveCaches(req2, restored2, log2);
    expect(warnings(log2)).toEqual([]);
    expect(existsSync(unused.a)).toBe(false);
    expect(existsSync(unused.d)).toBe(false);
    expect(existsSync(used.d) && existsSync(fresh.a) && existsSync(fresh.d)).toBe(true);
    expect(record2.savedBytes).toBeGreaterThan(0);
    expect(svc.cacheEntries().map((e) => e.key)).toEqual([record1.key, record2.key]);

    // Run 3: a fresh runner gets run 2's entry.
    rmSync(gocache, { recursive: true });
    const req3 = request(root, jobEnv(svc.env, root, '3'));
    const log3 = new MemoryLogger();
    const restored3 = await restoreCaches(req3, log3);
    expect(restored3.hit).toBe('true');
    expect(restored3.entries.find((e) => e.name === 'GOCACHE')?.matchedKey).toBe(record2.key);
    expect(readFileSync(fresh.d).length).toBe(4096);
    expect(existsSync(unused.d)).toBe(false);
    expect(cacheRecord(restored3, 'restore-and-save').restoredBytes).toBeGreaterThan(0);
    expect(warnings(log3)).toEqual([]);
  });

  it('GOMODCACHE: keyed by go.sum, read-only module files round-trip, an exact hit is not saved again', async () => {
    const root = tempDir('gomod');
    const req = request(root, jobEnv(svc.env, root, '1'), {
      moduleDir: moduleDir(root, 'example.com/dep v1.0.0 h1:x=\n'),
    });
    const modFile = path.join(req.gomodcache, 'example.com', 'dep@v1.0.0', 'dep.go');
    mkdirSync(path.dirname(modFile), { recursive: true });
    writeFileSync(modFile, 'package dep\n');
    // cmd/go makes extracted modules read-only.
    chmodSync(modFile, 0o444);
    chmodSync(path.dirname(modFile), 0o555);
    const log = new MemoryLogger();
    const restored = await restoreCaches(req, log);
    writeGoEntry(req.gocache);
    await saveCaches(req, restored, log);
    expect(warnings(log)).toEqual([]);
    const modKey = restored.entries.find((e) => e.name === 'GOMODCACHE')?.key ?? '';
    expect(svc.cacheEntries().map((e) => e.key)).toContain(modKey);

    chmodSync(path.dirname(modFile), 0o755);
    rmSync(req.gomodcache, { recursive: true });
    rmSync(req.gocache, { recursive: true });
    const req2 = { ...req, env: jobEnv(svc.env, root, '2') };
    const log2 = new MemoryLogger();
    const restored2 = await restoreCaches(req2, log2);
    expect(readFileSync(modFile, 'utf8')).toBe('package dep\n');
    expect(restored2.hit).toBe('true');
    const before = svc.requests.length;
    writeGoEntry(req.gocache);
    await saveCaches(req2, restored2, log2);
    expect(warnings(log2)).toEqual([]);
    const creates = svc.requests.slice(before).filter((r) => r.method === 'CreateCacheEntry');
    expect(creates.map((r) => r.body?.key)).toEqual([restored2.key]);
    expect(
      log2.lines.some((l) => /GOMODCACHE: restored from its exact key .*not saving/.test(l.message)),
    ).toBe(true);
    chmodSync(path.dirname(modFile), 0o755);
  });

  it('a re-run that restores the exact GOCACHE key does not save it again', async () => {
    const root = tempDir('exact');
    const req = request(root, jobEnv(svc.env, root, '77'));
    const log = new MemoryLogger();
    const first = await restoreCaches(req, log);
    writeGoEntry(req.gocache);
    await saveCaches(req, first, log);
    const again = await restoreCaches(req, log);
    expect(again.entries.find((e) => e.name === 'GOCACHE')?.matchedKey).toBe(again.key);
    const before = svc.requests.length;
    const record = await saveCaches(req, again, log);
    expect(svc.requests.slice(before)).toEqual([]);
    expect(record).toMatchObject({ hit: 'true', savedBytes: 0 });
    expect(warnings(log)).toEqual([]);
  });

  it('two jobs of one run with different target sets save apart and each finds its own next time', async () => {
    const root = tempDir('jobs');
    const amd = ['linux/amd64 GOAMD64=v1', 'CGO_ENABLED=0'];
    const arm = ['linux/arm64 GOARM64=v8.0', 'CGO_ENABLED=0'];
    const keys: Record<string, string | null> = {};
    // Each job on its own fresh runner: same paths, empty GOCACHE.
    for (const [name, inputs] of [
      ['amd', amd],
      ['arm', arm],
    ] as const) {
      rmSync(path.join(root, 'gocache'), { recursive: true, force: true });
      const req = request(root, jobEnv(svc.env, root, '500'), { compileInputs: inputs });
      const log = new MemoryLogger();
      const restored = await restoreCaches(req, log);
      writeFileSync(writeGoEntry(req.gocache).d, name);
      keys[name] = (await saveCaches(req, restored, log)).key;
      expect(warnings(log)).toEqual([]);
    }
    expect(keys.amd).not.toBe(keys.arm);
    for (const [name, inputs] of [
      ['amd', amd],
      ['arm', arm],
    ] as const) {
      rmSync(path.join(root, 'gocache'), { recursive: true, force: true });
      const req = request(root, jobEnv(svc.env, root, '501'), { compileInputs: inputs });
      const restored = await restoreCaches(req, new MemoryLogger());
      expect(restored.entries.find((e) => e.name === 'GOCACHE')?.matchedKey).toBe(keys[name]);
    }
  });

  it('restore-only restores but never saves', async () => {
    const root = tempDir('ro');
    const seedReq = request(root, jobEnv(svc.env, root, '900'));
    const seedLog = new MemoryLogger();
    const seeded = await restoreCaches(seedReq, seedLog);
    writeGoEntry(seedReq.gocache);
    await saveCaches(seedReq, seeded, seedLog);
    rmSync(seedReq.gocache, { recursive: true });

    const req = request(root, jobEnv(svc.env, root, '901'), { mode: 'restore-only' });
    const log = new MemoryLogger();
    const before = svc.requests.length;
    const restored = await restoreCaches(req, log);
    expect(restored.hit).toBe('true');
    writeGoEntry(req.gocache);
    const record = await saveCaches(req, restored, log);
    expect(svc.requests.slice(before).map((r) => r.method)).not.toContain('CreateCacheEntry');
    expect(record.savedBytes).toBe(0);
    expect(record.restoredBytes).toBeGreaterThan(0);
    expect(warnings(log)).toEqual([]);
  });

  it('cache: false does nothing at all', async () => {
    const root = tempDir('off');
    const req = request(root, jobEnv(svc.env, root), { mode: 'false' });
    const log = new MemoryLogger();
    const before = svc.requests.length;
    const restored = await restoreCaches(req, log);
    expect(await saveCaches(req, restored, log)).toEqual({
      hit: 'false',
      key: null,
      restoredBytes: 0,
      savedBytes: 0,
      use: 'off',
    });
    expect(svc.requests.length).toBe(before);
    expect(log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('outside Actions the local GOCACHE is used as it is', async () => {
    const root = tempDir('local');
    const req = request(root, { RUNNER_OS: 'Linux' });
    const entry = writeGoEntry(req.gocache);
    const mtime = statSync(entry.a).mtimeMs;
    const log = new MemoryLogger();
    const restored = await restoreCaches(req, log);
    await saveCaches(req, restored, log);
    expect(log.lines).toEqual([
      { level: 'info', message: expect.stringMatching(/Not running in GitHub Actions/) },
    ]);
    expect(statSync(entry.a).mtimeMs).toBe(mtime);
    expect(existsSync(entry.d)).toBe(true);
  });

  it('a job without the cache service warns once and builds on', async () => {
    const root = tempDir('unavailable');
    const env = jobEnv(svc.env, root);
    delete env.ACTIONS_CACHE_SERVICE_V2;
    const log = new MemoryLogger();
    const before = svc.requests.length;
    const restored = await restoreCaches(request(root, env), log);
    await saveCaches(request(root, env), restored, log);
    expect(warnings(log)).toEqual([expect.stringMatching(/cache service is not available to this job/)]);
    expect(svc.requests.length).toBe(before);
  });
});

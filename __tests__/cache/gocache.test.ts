// Aging and pruning of GOCACHE entries, and the fallback when mtimes are not kept.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  GO_MTIME_INTERVAL_MS,
  ageEntries,
  countNewOutputs,
  directorySize,
  pruneUnused,
} from '../../src/cache/gocache.js';
import { restoreCaches, saveCaches } from '../../src/cache/index.js';
import { MemoryLogger } from '../../src/log.js';
import { startResultsService } from '../support/results-service.js';
import type { Release } from '../support/toolchains.js';
import { EXAMPLE_MODULE, goEnv, toolchain } from '../support/toolchains.js';
import { jobEnv, request, tempDir, warnings, writeGoEntry } from './helpers.js';

const execFileAsync = promisify(execFile);

describe('GOCACHE aging and pruning', () => {
  it('ages every entry past the 1 h interval and keeps only what was touched afterwards', async () => {
    const gocache = path.join(tempDir('prune'), 'gocache');
    const entries = [writeGoEntry(gocache), writeGoEntry(gocache), writeGoEntry(gocache)];
    const trim = path.join(gocache, 'trim.txt');
    writeFileSync(trim, '1700000000');
    const now = Date.now();
    const aging = await ageEntries(gocache, now);
    expect(aging).toMatchObject({ mtimesKept: true, entries: 6, cutoffMs: now - GO_MTIME_INTERVAL_MS });
    for (const e of entries) {
      expect(now - statSync(e.a).mtimeMs).toBeGreaterThan(GO_MTIME_INTERVAL_MS);
      // …and far from cmd/go's own trim limit (5 days + 1 h).
      expect(now - statSync(e.d).mtimeMs).toBeLessThan(5 * 24 * GO_MTIME_INTERVAL_MS);
    }
    const [used, reproduced, unused] = entries as [
      (typeof entries)[0],
      (typeof entries)[0],
      (typeof entries)[0],
    ];
    const later = new Date(now + 1000);
    utimesSync(used.a, later, later);
    utimesSync(used.d, later, later);
    // A rebuild that reproduces an existing output writes only a new action entry.
    utimesSync(reproduced.a, later, later);
    const pruning = await pruneUnused(gocache, aging.cutoffMs, aging.names);
    expect(pruning).toMatchObject({ keptEntries: 4, removedEntries: 2 });
    expect([used.a, used.d, reproduced.a, reproduced.d].every((f) => existsSync(f))).toBe(true);
    expect(existsSync(unused.a) || existsSync(unused.d)).toBe(false);
    expect(existsSync(trim)).toBe(true);
    expect(await directorySize(gocache)).toBe(pruning.keptBytes + 10);
  });

  it('counts the outputs written since the aging by name, whatever their times, module index aside', async () => {
    const gocache = path.join(tempDir('added'), 'gocache');
    writeGoEntry(gocache);
    const aging = await ageEntries(gocache, Date.now());
    expect(await countNewOutputs(gocache, aging.names)).toBe(0);
    writeFileSync(path.join(gocache, 'trim.txt'), '1700000000');
    writeGoEntry(gocache, Buffer.from('go index v2\n\u00c4\u0000 the index of a package directory'));
    expect(await countNewOutputs(gocache, aging.names)).toBe(0);
    const added = writeGoEntry(gocache);
    const old = new Date(Date.now() - 3 * GO_MTIME_INTERVAL_MS);
    utimesSync(added.a, old, old);
    expect(await countNewOutputs(gocache, aging.names)).toBe(2);
    // A cached executable (Go 1.24+) is a directory holding it.
    const executable = path.join(gocache, 'ab', `${'ab'.repeat(32)}-d`);
    mkdirSync(executable, { recursive: true });
    writeFileSync(path.join(executable, 'tool'), 'an executable');
    expect(await countNewOutputs(gocache, aging.names)).toBe(3);
  });

  it('treats a missing GOCACHE as empty', async () => {
    const gocache = path.join(tempDir('missing'), 'nothing');
    expect(await directorySize(gocache)).toBe(0);
    expect(await pruneUnused(gocache, Date.now(), new Set())).toMatchObject({
      keptEntries: 0,
      removedEntries: 0,
    });
  });

  it('detects a file system that drops mtimes and then saves everything, saying so', async () => {
    const svc = await startResultsService();
    try {
      const root = tempDir('nomtime');
      // A previous run saved an entry; this one restores it on a file system that drops mtimes.
      const first = request(root, jobEnv(svc.env, root, '1'));
      const cold = await restoreCaches(first, new MemoryLogger());
      const old = writeGoEntry(first.gocache);
      await saveCaches(first, cold, new MemoryLogger());
      rmSync(first.gocache, { recursive: true, force: true });
      const req = request(root, jobEnv(svc.env, root, '2'), { setTimes: async () => undefined });
      const log = new MemoryLogger();
      const restored = await restoreCaches(req, log);
      expect(restored.gocache?.pruneCutoffMs).toBeNull();
      expect(warnings(log).join('\n')).toMatch(
        /does not keep modification times.*whole GOCACHE will be saved/,
      );
      writeGoEntry(req.gocache);
      const record = await saveCaches(req, restored, log);
      expect(existsSync(old.a) && existsSync(old.d)).toBe(true);
      expect(record.savedBytes).toBe(await directorySize(req.gocache));
    } finally {
      await svc.close();
    }
  });
});

// Go 1.24+ caches `go run` and `go tool` executables, and 1.25+ builds most tools (nm, objdump,
// pprof…) on demand into GOCACHE: each is a directory `<output id>-d` holding the executable.
describe.each<Release>(['1.26', '1.27'])('GOCACHE with cached executables (Go %s)', (release) => {
  it('a restored entry holds two: pruning drops the one this run did not use, keeps the used one, and warns of nothing', async () => {
    const tc = toolchain(release);
    const svc = await startResultsService();
    try {
      const root = tempDir('executables');
      const first = request(root, jobEnv(svc.env, root, '1'));
      const env = goEnv(tc, { GOCACHE: first.gocache, GOMODCACHE: first.gomodcache, CGO_ENABLED: '0' });
      const go = (...args: string[]) => execFileAsync(tc.go, args, { cwd: EXAMPLE_MODULE, env });
      const binary = path.join(root, 'hello');
      // A previous run: a `go run`, a build, an on-demand tool; it saves them all.
      const cold = await restoreCaches(first, new MemoryLogger());
      await go('run', '.');
      await go('build', '-o', binary, '.');
      await go('tool', 'nm', binary);
      expect(executables(first.gocache)).toEqual(['hello', 'nm']);
      await saveCaches(first, cold, new MemoryLogger());
      rmSync(first.gocache, { recursive: true, force: true });

      // A target more: the entry is restored through a less specific key and saved whole, pruned
      // (a run of the same inputs saves a delta, which only ever holds what it used).
      const req = request(root, jobEnv(svc.env, root, '2'), {
        compileInputs: [...first.compileInputs, 'linux/arm64 GOARM64=v8.0'],
      });
      const log = new MemoryLogger();
      const restored = await restoreCaches(req, log);
      expect(executables(req.gocache)).toEqual(['hello', 'nm']);
      // This run uses nm again, and only nm.
      await go('tool', 'nm', binary);
      expect(await countNewOutputs(req.gocache, restored.gocache?.names ?? new Set())).toBe(0);
      // …and compiles something new, so it saves.
      writeGoEntry(req.gocache);
      const record = await saveCaches(req, restored, log);
      expect(warnings(log)).toEqual([]);
      expect(executables(req.gocache)).toEqual(['nm']);
      expect(record.savedBytes).toBe(await directorySize(req.gocache));
      expect(log.lines.map((l) => l.message)).toContainEqual(
        expect.stringMatching(/^GOCACHE: keeping \d+ entries .* removed \d+ unused/),
      );
    } finally {
      await svc.close();
    }
  });
});

/** The executables GOCACHE holds, by name. */
function executables(gocache: string): string[] {
  return (readdirSync(gocache, { recursive: true }) as string[])
    .filter((name) => /-d\/[^/]+$/.test(name))
    .map((name) => path.basename(name))
    .sort();
}

// Real `go build` through a restored GOCACHE, five runs in a row on "fresh runners" (GOCACHE wiped
// between runs), each after a source edit, against the local results service, with Go 1.23, 1.26
// and 1.27: the first saves GOCACHE, the others a delta on top of it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CacheRecord, CacheRequest, RestoredCaches } from '../../src/cache/index.js';
import { restoreCaches, saveCaches } from '../../src/cache/index.js';
import { run } from '../../src/exec.js';
import { MemoryLogger } from '../../src/log.js';
import type { ResultsService } from '../support/results-service.js';
import { startResultsService } from '../support/results-service.js';
import type { Release } from '../support/toolchains.js';
import { EXAMPLE_MODULE, goEnv, toolchain } from '../support/toolchains.js';
import { jobEnv, tempDir, warnings } from './helpers.js';

let svc: ResultsService;
beforeAll(async () => {
  svc = await startResultsService();
});
afterAll(async () => {
  await svc.close();
});

interface RunFigures {
  run: number;
  matched: string | null;
  hit: string;
  restoredBytes: number;
  buildSeconds: number;
  compiles: number;
  savedBytes: number;
  key: string | null;
}

// The two supported releases, and 1.23 to keep an older toolchain covered.
describe.each<Release>(['1.23', '1.26', '1.27'])('GOCACHE round trip with go build (Go %s)', (release) => {
  it('restores the previous run, builds from it, and keeps the saved size stable', async () => {
    const tc = toolchain(release);
    const root = tempDir('roundtrip');
    const moduleDir = path.join(root, 'module');
    cpSync(EXAMPLE_MODULE, moduleDir, { recursive: true, filter: (src) => !src.includes(`${path.sep}dist`) });
    const mainGo = path.join(moduleDir, 'main.go');
    const source = readFileSync(mainGo, 'utf8');
    const gocache = path.join(root, 'gocache');
    const gomodcache = path.join(root, 'gomodcache');
    const buildEnv = goEnv(tc, {
      GOCACHE: gocache,
      GOMODCACHE: gomodcache,
      GOOS: 'linux',
      GOARCH: 'arm64',
      CGO_ENABLED: '0',
    });
    const goVersion = (
      await run([tc.go, 'env', 'GOVERSION'], { cwd: moduleDir, env: buildEnv })
    ).stdout.trim();
    const figures: RunFigures[] = [];

    for (let n = 1; n <= 5; n++) {
      if (n > 1) writeFileSync(mainGo, source.replace('hello, world', `hello, world (edit ${n})`));
      rmSync(gocache, { recursive: true, force: true });
      const req: CacheRequest = {
        mode: 'true',
        keyPrefix: `roundtrip-${release}`,
        env: jobEnv(svc.env, root, String(n)),
        goVersion,
        gocache,
        gomodcache,
        moduleDir,
        commitSeconds: 1_700_000_000 + n,
        packages: ['.'],
        compileInputs: ['linux/arm64 GOARM64=v8.0', 'CGO_ENABLED=0', 'tags=', 'flags=', 'trimpath=true'],
        timeoutMs: 120_000,
      };
      const log = new MemoryLogger();
      const restored: RestoredCaches = await restoreCaches(req, log);
      const build = await run([tc.go, 'build', '-x', '-trimpath', '-o', path.join(root, 'hello'), '.'], {
        cwd: moduleDir,
        env: buildEnv,
        timeoutMs: 300_000,
      });
      expect(build.exitCode).toBe(0);
      const record: CacheRecord = await saveCaches(req, restored, log);
      expect(warnings(log)).toEqual([]);
      figures.push({
        run: n,
        matched: restored.entries.find((e) => e.name === 'GOCACHE')?.matchedKey ?? null,
        hit: restored.hit,
        restoredBytes: record.restoredBytes,
        buildSeconds: build.seconds,
        compiles: build.stderr.split('\n').filter((l) => /\/compile /.test(l)).length,
        savedBytes: record.savedBytes,
        key: record.key,
      });
    }

    console.log(
      [`Go ${release} (${goVersion})`, 'run  hit    restored   build s  compiles  saved      matched key']
        .concat(
          figures.map(
            (f) =>
              `${f.run}    ${f.hit.padEnd(6)} ${String(f.restoredBytes).padStart(9)}  ${f.buildSeconds.toFixed(2).padStart(7)}  ${String(f.compiles).padStart(8)}  ${String(f.savedBytes).padStart(9)}  ${f.matched ?? '-'}`,
          ),
        )
        .join('\n'),
    );
    const [first, ...rest] = figures as [RunFigures, ...RunFigures[]];
    expect(first).toMatchObject({ hit: 'false', matched: null, restoredBytes: 0 });
    expect(first.compiles).toBeGreaterThan(10); // the standard library for linux/arm64
    rest.forEach((f) => {
      // Every run restores the entry the first run saved (through the inputs restore key), and the
      // delta the run before it saved on top…
      expect(f).toMatchObject({ hit: 'true', matched: first.key });
      // …and compiles only the edited main package; everything else comes from the cache.
      expect(f.compiles).toBe(1);
      // The delta holds what the edit compiled: a small part of the entry.
      expect(f.savedBytes).toBeLessThan(first.savedBytes / 4);
    });
    const entries = svc.cacheEntries().filter((e) => e.key.startsWith(`roundtrip-${release}-gocache-`));
    expect(entries.filter((e) => !e.key.includes('-delta-'))).toHaveLength(1);
    expect(entries.filter((e) => e.key.includes('-delta-'))).toHaveLength(4);
    rmSync(root, { recursive: true, force: true });
  });
});

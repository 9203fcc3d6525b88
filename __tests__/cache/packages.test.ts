// A matrix over `package` (or two workflows building different packages of one module): the legs
// of one run build the same targets with the same flags, so only the packages tell their GOCACHE
// entries apart. Through the real engine and `go build`, each leg on a fresh runner, against the
// results-service emulation: every leg saves its own entry.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from '../support/engine.js';
import type { ResultsService } from '../support/results-service.js';
import { startResultsService } from '../support/results-service.js';
import { toolchain } from '../support/toolchains.js';
import { jobEnv, tempDir, warnings } from './helpers.js';

let svc: ResultsService;
beforeAll(async () => {
  svc = await startResultsService();
});
afterAll(async () => {
  await svc.close();
});

describe('legs that build other packages of one module', () => {
  it('each save their own GOCACHE entry in one run', async () => {
    const root = tempDir('packages');
    const module = path.join(root, 'module');
    for (const name of ['a', 'b']) {
      mkdirSync(path.join(module, 'cmd', name), { recursive: true });
      writeFileSync(
        path.join(module, 'cmd', name, 'main.go'),
        `package main\n\nfunc main() { println("${name}") }\n`,
      );
    }
    writeFileSync(path.join(module, 'go.mod'), 'module example.com/two\n\ngo 1.26\n');
    const runner = { GOCACHE: path.join(root, 'gocache'), GOMODCACHE: path.join(root, 'gomodcache') };
    const saved: string[] = [];
    for (const pkg of ['./cmd/a', './cmd/b']) {
      // A fresh runner for each leg.
      rmSync(runner.GOCACHE, { recursive: true, force: true });
      const run = await build(
        toolchain('1.26'),
        { targets: 'linux/amd64', 'working-directory': module, package: pkg, upload: 'false' },
        { ...jobEnv(svc.env, root, '77'), ...runner, SOURCE_DATE_EPOCH: '1700000000' },
      );
      expect([pkg, run.manifest.artifacts.map((a) => a.status), warnings(run.log)]).toEqual([
        pkg,
        ['ok'],
        [],
      ]);
      saved.push(
        ...run.log.lines.flatMap((l) => /^GOCACHE: saved .* as (\S+)$/.exec(l.message)?.slice(1) ?? []),
      );
    }
    expect(saved).toHaveLength(2);
    expect(new Set(saved).size).toBe(2);
    const stored = svc
      .cacheEntries()
      .filter((e) => e.finalized && e.key.includes('-gocache-') && !e.key.includes('-gocache-delta-'));
    expect(stored.map((e) => e.key).sort()).toEqual([...saved].sort());
  }, 300_000);
});

// A `package` pattern keys GOCACHE by the packages it expands to: a leg given `./cmd/...` and one
// given the same main packages line by line share their entries, through the real engine and the
// results-service emulation.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from '../support/engine.js';
import type { ResultsService } from '../support/results-service.js';
import { startResultsService } from '../support/results-service.js';
import { toolchain } from '../support/toolchains.js';
import { jobEnv, tempDir } from './helpers.js';

let svc: ResultsService;
beforeAll(async () => {
  svc = await startResultsService();
});
afterAll(async () => {
  await svc.close();
});

describe('a package pattern and the cache', () => {
  it('keys GOCACHE by the expanded packages, as the same packages line by line', async () => {
    const root = tempDir('pattern-key');
    const module = path.join(root, 'module');
    for (const name of ['a', 'b']) {
      mkdirSync(path.join(module, 'cmd', name), { recursive: true });
      writeFileSync(
        path.join(module, 'cmd', name, 'main.go'),
        `package main\n\nfunc main() { println("${name}") }\n`,
      );
    }
    mkdirSync(path.join(module, 'cmd', 'shared'), { recursive: true });
    writeFileSync(path.join(module, 'cmd', 'shared', 'shared.go'), 'package shared\n');
    writeFileSync(path.join(module, 'go.mod'), 'module example.com/two\n\ngo 1.26\n');
    const runner = { GOCACHE: path.join(root, 'gocache'), GOMODCACHE: path.join(root, 'gomodcache') };
    const keys: (string | null)[] = [];
    const hits: string[] = [];
    for (const pkg of ['./cmd/...', './cmd/b\n./cmd/a']) {
      rmSync(runner.GOCACHE, { recursive: true, force: true });
      const run = await build(
        toolchain('1.26'),
        { targets: 'linux/amd64', 'working-directory': module, package: pkg, upload: 'false' },
        { ...jobEnv(svc.env, root, '78'), ...runner, SOURCE_DATE_EPOCH: '1700000000' },
      );
      expect(run.manifest.artifacts.map((a) => `${a.package} ${a.status}`).sort()).toEqual([
        './cmd/a ok',
        './cmd/b ok',
      ]);
      keys.push(run.manifest.cache?.key ?? null);
      hits.push(run.manifest.cache?.hit ?? '');
    }
    expect(keys[0]).not.toBeNull();
    expect(keys[1]).toBe(keys[0]);
    // The second leg restores the first one's entry by its exact key.
    expect(hits[1]).toBe('true');
  }, 300_000);
});

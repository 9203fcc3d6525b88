// "Re-run failed jobs" (issue 27, item 4): a leg fails in attempt 1, is re-run in attempt 2, and
// collect is green. The results-service emulation is as hostile as GitHub has been measured to be:
// the re-run's artifacts take the failed attempt's names and get LOWER ids, so "the highest id per
// name" (listArtifacts({latest: true})) would take the failed attempt's. Each leg records
// GITHUB_RUN_ATTEMPT in its manifest, and collect takes every target from its newest attempt.
// act runs one attempt of a workflow and cannot re-run its failed jobs, so the legs and collect run
// here directly, the real engine building examples' fixtures with a real Go.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { collectResults } from '../src/collect/index.js';
import { MemoryLogger } from '../src/log.js';
import { sha256File } from '../src/hash.js';
import { build, copyModule, tempDir } from './support/engine.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';
import { REPO_ROOT, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
const tc = toolchain('1.26');
const TARGETS = ['linux/amd64', 'windows/amd64'];

let service: ResultsService;
beforeAll(async () => {
  service = await startResultsService();
});
afterAll(async () => {
  await service.close();
});

describe('a failed leg, re-run, and collect', () => {
  it('takes each target from the newest attempt, though the re-run artifacts have lower ids', async () => {
    const run = 'run-rerun';
    // A module whose windows build fails (__tests__/fixtures/broken) until the re-run: a fix that
    // landed in the meantime stands in for whatever made the first attempt fail.
    const dir = tempDir('rerun');
    copyModule(path.join(REPO_ROOT, '__tests__', 'fixtures', 'broken'), dir);
    const leg = (attempt: number) =>
      build(
        tc,
        { targets: TARGETS.join(' '), 'working-directory': dir, cache: 'false', 'artifact-prefix': 'p-' },
        service.envFor(run, `build-attempt-${attempt}`, undefined, attempt),
      );

    const first = await leg(1);
    expect(first.manifest.runAttempt).toBe(1);
    expect(first.manifest.artifacts.map((a) => [a.target, a.status])).toEqual([
      ['linux/amd64', 'ok'],
      ['windows/amd64', 'build-failed'],
    ]);
    writeFileSync(
      path.join(dir, 'broken_windows.go'),
      'package main\n\nfunc message() string { return "fixed" }\n',
    );
    const second = await leg(2);
    expect(second.manifest.runAttempt).toBe(2);
    expect(second.manifest.artifacts.map((a) => [a.target, a.status])).toEqual([
      ['linux/amd64', 'ok'],
      ['windows/amd64', 'ok'],
    ]);

    // Both attempts' artifacts are there under the same names, the re-run's with the lower ids.
    const stored = service.artifacts().filter((a) => a.runId === run && a.finalized);
    expect(stored.map((a) => [a.name, a.attempt]).sort()).toEqual([
      ['p-broken-linux-amd64', 1],
      ['p-broken-linux-amd64', 2],
      ['p-broken-windows-amd64', 1],
      ['p-broken-windows-amd64', 2],
    ]);
    for (const name of ['p-broken-linux-amd64', 'p-broken-windows-amd64']) {
      const ids = Object.fromEntries(stored.filter((a) => a.name === name).map((a) => [a.attempt, a.id]));
      expect(ids[2]).toBeLessThan(ids[1] as number);
    }

    // collect, in the re-run (attempt 2): green, every file the re-run's.
    const workspace = tempDir('rerun-collect');
    const dist = path.join(workspace, 'dist');
    const collected = await collectResults({
      outputDir: dist,
      env: { ...service.envFor(run, 'collect-attempt-2', undefined, 2), GITHUB_WORKSPACE: workspace },
      log: new MemoryLogger(),
      requested: TARGETS,
      prefix: 'p-',
    });
    expect([collected.missing, collected.failed]).toEqual([[], []]);
    expect(collected.manifest.runAttempt).toBe(2);
    const bySecond = new Map(second.manifest.artifacts.map((a) => [a.target, a]));
    for (const a of collected.manifest.artifacts) {
      const built = bySecond.get(a.target);
      expect([a.target, a.status, a.sha256, a.archiveSha256]).toEqual([
        a.target,
        'ok',
        built?.sha256,
        built?.archiveSha256,
      ]);
      expect([a.target, await sha256File(path.join(workspace, a.archive ?? ''))]).toEqual([
        a.target,
        built?.archiveSha256,
      ]);
    }
    // checksums.txt checks against what was collected.
    const { stdout } = await execFileAsync('sha256sum', ['-c', 'checksums.txt'], { cwd: dist });
    expect(stdout.trim().split('\n').sort()).toEqual([
      'broken-linux-amd64.tar.gz: OK',
      'broken-windows-amd64.zip: OK',
    ]);
    expect(readFileSync(path.join(dist, 'manifest.json'), 'utf8')).toContain('"runAttempt": 2');
  });
});

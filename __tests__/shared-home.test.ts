// Two jobs, one machine: self-hosted runners run several jobs at once under one HOME, so with one
// GOCACHE and one GOMODCACHE, and the Go they build with can live in that GOMODCACHE (where
// GOTOOLCHAIN puts it). Two runs of the action bundle at once, building different targets of a real
// module from the proxy, both restoring from and saving to the results service, ten times in a row
// with a source edit each time: every build must succeed. Before the fix a restore extracted over
// files the other job was running or reading (the toolchain's compile, GOCACHE outputs) and pruning
// deleted the other job's GOCACHE files.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './support/engine.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';
import { runAction } from './support/runner.js';
import { FZF, SUITE_PROXY, checkOut, downloadDependencies } from './support/thirdparty.js';
import type { Toolchain } from './support/toolchains.js';
import { GO127, goEnv, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
const system = toolchain('1.26');

let service: ResultsService;
beforeAll(async () => {
  service = await startResultsService();
});
afterAll(async () => {
  await service.close();
});

const RUNS = 10;

describe('two jobs on one machine', () => {
  it(`two runs of the action at once with one HOME, ${RUNS} times in a row: every build succeeds`, async () => {
    const home = tempDir('home');
    const GOCACHE = path.join(home, '.cache', 'go-build');
    const GOMODCACHE = path.join(home, 'go', 'pkg', 'mod');
    // Go 1.27.3 as GOTOOLCHAIN puts it: unpacked into this GOMODCACHE, from the machine's module
    // cache served as a proxy (scripts/ensure-deps.mjs fetched it there).
    const machineModules = (await execFileAsync(system.go, ['env', 'GOMODCACHE'])).stdout.trim();
    await execFileAsync(system.go, ['version'], {
      env: goEnv(system, {
        GOMODCACHE,
        GOTOOLCHAIN: GO127,
        GOPROXY: `file://${path.join(machineModules, 'cache', 'download')}`,
        GOSUMDB: 'off',
      }),
    });
    const binDir = path.join(GOMODCACHE, 'golang.org', `toolchain@v0.0.1-${GO127}.linux-amd64`, 'bin');
    const go: Toolchain = { release: '1.27', go: path.join(binDir, 'go'), binDir };

    const source = await checkOut(system, FZF);
    await downloadDependencies(system, source);
    const jobs = ['linux/amd64', 'linux/arm64'].map((targets) => {
      const workspace = tempDir('shared-job');
      cpSync(source, path.join(workspace, 'fzf'), { recursive: true });
      return { targets, workspace };
    });

    const outcomes: string[] = [];
    for (let run = 1; run <= RUNS; run++) {
      // The jobs start one after the other (which one first alternates): the second when the
      // first has restored GOCACHE, so that its restore meets the first one's builds.
      let restored = (): void => undefined;
      const firstRestored = new Promise<void>((resolve) => (restored = resolve));
      const results = await Promise.all(
        jobs.map(async (job, index) => {
          writeFileSync(
            path.join(job.workspace, 'fzf', 'gbm_edit.go'),
            `package main\n\nconst gbmEdit = ${run}\n`,
          );
          const second = index === run % 2;
          if (second) await firstRestored;
          const r = runAction(
            job.workspace,
            {
              targets: job.targets,
              'working-directory': 'fzf',
              upload: 'false',
              'cache-cleanup': 'false',
              'cache-key-prefix': 'shared-home',
            },
            goEnv(go, {
              ...service.envFor(`run-${run}`, job.targets),
              HOME: home,
              GOCACHE,
              GOMODCACHE,
              GOPROXY: SUITE_PROXY,
              GOSUMDB: 'off',
              GITHUB_RUN_ID: String(4000 + run),
              GITHUB_RUN_ATTEMPT: '1',
              GITHUB_REF: 'refs/heads/main',
              SOURCE_DATE_EPOCH: String(1_700_000_000 + run),
            }),
            second
              ? undefined
              : (stdout) => {
                  if (/^GOCACHE: (restored|no cache entry yet)/m.test(stdout)) restored();
                },
          );
          // Should the line never come, the second job still starts, once the first has ended.
          return second ? r : r.finally(restored);
        }),
      );
      results.forEach((r, index) => {
        const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
        outcomes.push(`run ${run} ${jobs[index]?.targets}: exit ${r.exitCode} ${errors.join(' | ')}`.trim());
      });
    }
    expect(outcomes).toEqual(
      Array.from({ length: RUNS }, (_, i) => jobs.map((j) => `run ${i + 1} ${j.targets}: exit 0`)).flat(),
    );
  }, 1_800_000);
});

// The start order: longest expected build first, learned from the last run's manifest or the
// timings GOCACHE carries, with a default guess when there is no history.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BuildJob } from '../src/compile/plan.js';
import {
  longestFirst,
  readTimings,
  timingKey,
  timingsPathIn,
  writeTimings,
} from '../src/compile/schedule.js';
import { build, copyModule, tempDir } from './support/engine.js';
import { EXAMPLE_MODULE, toolchain } from './support/toolchains.js';

function job(id: string, cgo: '0' | '1' = '0', pkg = '.'): BuildJob {
  const [goos = '', goarch = ''] = id.split('/');
  return {
    target: { id, goos, goarch, variant: null },
    package: pkg,
    pinned: { GOOS: goos, GOARCH: goarch, CGO_ENABLED: cgo, variant: null },
  } as unknown as BuildJob;
}

const M = 'example.com/app';
const ids = (jobs: readonly BuildJob[]): string[] => jobs.map((j) => j.target.id);

describe('longestFirst', () => {
  it('keeps the given order without history, cgo builds first', () => {
    const jobs = [job('linux/amd64'), job('linux/arm64', '1'), job('windows/amd64'), job('linux/386', '1')];
    expect(ids(longestFirst(jobs, new Map(), M))).toEqual([
      'linux/arm64',
      'linux/386',
      'linux/amd64',
      'windows/amd64',
    ]);
  });

  it('orders by the seconds measured last time', () => {
    const jobs = [job('linux/amd64'), job('windows/amd64'), job('darwin/arm64')];
    const previous = new Map([
      [timingKey(M, jobs[0] as BuildJob), 3],
      [timingKey(M, jobs[1] as BuildJob), 9],
      [timingKey(M, jobs[2] as BuildJob), 5],
    ]);
    expect(ids(longestFirst(jobs, previous, M))).toEqual(['windows/amd64', 'darwin/arm64', 'linux/amd64']);
  });

  it('guesses a new target at the median of the known ones, doubled for cgo', () => {
    const jobs = [job('linux/amd64'), job('windows/amd64'), job('darwin/arm64'), job('linux/arm64', '1')];
    const previous = new Map([
      [timingKey(M, jobs[0] as BuildJob), 4],
      [timingKey(M, jobs[1] as BuildJob), 10],
    ]);
    // median of {4, 10} is 10 (upper median): darwin/arm64 ties windows and keeps its place after it.
    expect(ids(longestFirst(jobs, previous, M))).toEqual([
      'linux/arm64',
      'windows/amd64',
      'darwin/arm64',
      'linux/amd64',
    ]);
  });

  it('keys timings by module, target and package', () => {
    const a = job('linux/amd64', '0', './cmd/a');
    expect(timingKey(M, a)).not.toBe(timingKey(M, job('linux/amd64', '0', './cmd/b')));
    expect(timingKey(M, a)).not.toBe(timingKey('example.com/other', a));
  });

  it("ignores another module's timings", () => {
    const jobs = [job('linux/amd64'), job('windows/amd64')];
    const other = new Map([[timingKey('example.com/other', jobs[1] as BuildJob), 99]]);
    expect(ids(longestFirst(jobs, other, M))).toEqual(['linux/amd64', 'windows/amd64']);
  });
});

describe('timings files', () => {
  it('reads the manifest over the GOCACHE file, ignores junk, and merges new figures in', async () => {
    const dir = tempDir('timings');
    const gocache = path.join(dir, 'gocache');
    const file = timingsPathIn(gocache) as string;
    expect(await readTimings(path.join(dir, 'missing.json'), file)).toEqual(new Map());
    await writeTimings(file, new Map([[`${M} linux/386 .`, 2]]), [
      { key: `${M} linux/amd64 .`, seconds: 1.234 },
    ]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      timings: { [`${M} linux/386 .`]: 2, [`${M} linux/amd64 .`]: 1.23 },
    });
    const manifest = path.join(dir, 'manifest.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        module: M,
        artifacts: [
          { target: 'linux/amd64', package: '.', buildSeconds: 7 },
          { target: 'linux/arm64', package: '.', buildSeconds: null },
          'junk',
        ],
      }),
    );
    expect(await readTimings(manifest, file)).toEqual(
      new Map([
        [`${M} linux/386 .`, 2],
        [`${M} linux/amd64 .`, 7],
      ]),
    );
    writeFileSync(manifest, '{not json');
    writeFileSync(file, '[]');
    expect(await readTimings(manifest, file)).toEqual(new Map());
  });
});

describe('the engine', () => {
  const tc = toolchain('1.23');

  it('starts the next run in the order the last run measured, and records each target on a timeline', async () => {
    const module = tempDir('schedule-module');
    copyModule(EXAMPLE_MODULE, module);
    const outputDir = tempDir('schedule-out');
    const gocache = tempDir('schedule-gocache');
    const inputs = {
      targets: 'linux/amd64 linux/arm64 windows/amd64 darwin/arm64',
      'working-directory': module,
      'output-dir': outputDir,
      parallel: '1',
    };
    const first = await build(tc, inputs, { GOCACHE: gocache });
    expect(existsSync(timingsPathIn(gocache) as string)).toBe(true);
    for (const a of first.manifest.artifacts) {
      const t = a.timeline;
      expect(t).not.toBeNull();
      if (t === null) continue;
      expect(t.started).toBeLessThanOrEqual(t.built);
      expect(t.built).toBeLessThanOrEqual(t.verified ?? Infinity);
      expect(t.verified ?? t.built).toBeLessThanOrEqual(t.done);
      expect(t.done).toBeLessThanOrEqual(first.manifest.buildPhaseSeconds);
    }
    // One build at a time: each target starts once the previous one is built and verified, while
    // the previous one is still being archived.
    const byStart = [...first.manifest.artifacts].sort(
      (a, b) => (a.timeline?.started ?? 0) - (b.timeline?.started ?? 0),
    );
    const overlaps = [];
    for (let i = 1; i < byStart.length; i++) {
      const previous = byStart[i - 1]?.timeline;
      const started = byStart[i]?.timeline?.started ?? -Infinity;
      expect(started).toBeGreaterThanOrEqual(previous?.verified ?? Infinity);
      overlaps.push(started < (previous?.done ?? -Infinity));
    }
    expect(overlaps).toContain(true);

    const second = await build(tc, inputs, { GOCACHE: gocache });
    const expected = [...first.manifest.artifacts]
      .sort((a, b) => (b.buildSeconds ?? 0) - (a.buildSeconds ?? 0))
      .map((a) => a.target);
    const startLine = second.log.lines.find((l) => l.message.startsWith('Start order'))?.message;
    expect(startLine).toBe(`Start order (longest expected first): ${expected.join(' ')}`);
    const started = [...second.manifest.artifacts]
      .sort((a, b) => (a.timeline?.started ?? 0) - (b.timeline?.started ?? 0))
      .map((a) => a.target);
    expect(started).toEqual(expected);
    // The manifest keeps the order the user wrote, whatever order the builds ran in.
    expect(second.manifest.artifacts.map((a) => a.target)).toEqual(inputs.targets.split(' '));
  });
});

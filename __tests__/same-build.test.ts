// Two spellings of one binary (issue 27, item 2): `linux/arm` and `linux/arm/7` are one build when
// the toolchain's GOARM default (asked of `go env`) is 7. The plan merges them before it splits the
// matrix into chunks, the manifest records the merged spelling as an alias, collect counts the alias
// as delivered, and file names are decided over the whole matrix (matrix-targets), not per leg.
// Real `go env` / `go build` of examples/hello.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { mergeManifests } from '../src/collect/merge.js';
import { InputError } from '../src/options/errors.js';
import { build, copyModule, plan, tempDir } from './support/engine.js';
import { EXAMPLE_MODULE, goEnv, toolchain } from './support/toolchains.js';
import type { Toolchain } from './support/toolchains.js';

function hello(): string {
  const dir = tempDir('same-build');
  copyModule(EXAMPLE_MODULE, dir);
  return dir;
}

/** What the toolchain itself says GOARM is for linux/arm, the variant variables cleared. */
function goarmDefault(tc: Toolchain): string {
  const env = { ...goEnv(tc), GOOS: 'linux', GOARCH: 'arm' };
  delete (env as Record<string, string | undefined>).GOARM;
  return execFileSync(tc.go, ['env', 'GOARM'], { env, encoding: 'utf8' }).trim();
}

const plannedTargets = (matrix: { include: Record<string, string | number>[] }) =>
  matrix.include.flatMap((c) => String(c.targets).split(' '));

describe('plan: one build per binary, whatever the spellings and chunks', () => {
  it('first-class plus linux/arm/7 with chunks 2 (Go 1.26, GOARM default 7): linux/arm is planned once, as linux/arm/7', async () => {
    const tc = toolchain('1.26');
    expect(goarmDefault(tc)).toBe('7');
    const planned = await plan(tc, {
      targets: 'first-class linux/arm/7',
      chunks: '2',
      'working-directory': hello(),
    });
    const targets = plannedTargets(planned.matrix);
    expect(planned.matrix.include).toHaveLength(2);
    expect(targets.filter((t) => t.startsWith('linux/arm/') || t === 'linux/arm')).toEqual(['linux/arm/7']);
    expect(new Set(targets).size).toBe(targets.length);
    expect(planned.aliases.get('linux/arm/7')).toEqual(['linux/arm']);
  });

  it("keeps both when the toolchain's own default differs (Debian's Go 1.19 defaults GOARM to 5)", async () => {
    const tc = toolchain('1.19');
    const goarm = goarmDefault(tc);
    const planned = await plan(tc, { targets: 'linux/arm linux/arm/7', 'working-directory': hello() });
    expect([goarm, plannedTargets(planned.matrix)]).toEqual(
      goarm === '7' ? [goarm, ['linux/arm/7']] : [goarm, ['linux/arm', 'linux/arm/7']],
    );
  });
});

describe('build: the manifest records the merged spelling', () => {
  it('linux/arm and linux/arm/7 build one binary, its entry lists linux/arm in aliases', async () => {
    const run = await build(toolchain('1.26'), {
      targets: 'linux/arm linux/arm/7',
      'working-directory': hello(),
      cache: 'false',
    });
    expect(
      run.manifest.artifacts.map((a) => [a.target, a.aliases, a.status, path.basename(a.path ?? '')]),
    ).toEqual([['linux/arm/7', ['linux/arm'], 'ok', 'hello-linux-arm-v7']]);
    // collect: a requested spelling counts as delivered under its alias.
    const merged = mergeManifests([run.manifest], ['linux/arm', 'linux/arm/7']);
    expect([merged.missing, merged.failed]).toEqual([[], []]);
  });

  it('a leg given matrix-targets records the aliases the whole matrix has', async () => {
    const run = await build(toolchain('1.26'), {
      targets: 'linux/arm/7',
      'matrix-targets': 'first-class linux/arm/7',
      'working-directory': hello(),
      cache: 'false',
    });
    expect(run.manifest.artifacts.map((a) => [a.target, a.aliases])).toEqual([
      ['linux/arm/7', ['linux/arm']],
    ]);
  });
});

describe('file and artifact names do not depend on how the matrix is split', () => {
  it('linux/amd64 in a leg of its own is hello-linux-amd64-v1 when linux/amd64/v3 is in the matrix', async () => {
    const tc = toolchain('1.26');
    const whole = 'linux/amd64 linux/amd64/v3';
    const oneJob = await build(tc, { targets: whole, 'working-directory': hello(), cache: 'false' });
    const legs = await Promise.all(
      ['linux/amd64', 'linux/amd64/v3'].map((targets) =>
        build(tc, { targets, 'matrix-targets': whole, 'working-directory': hello(), cache: 'false' }),
      ),
    );
    const names = (runs: typeof legs) =>
      runs.flatMap((r) => r.manifest.artifacts.map((a) => [a.target, path.basename(a.path ?? '')]));
    expect(names([oneJob])).toEqual([
      ['linux/amd64', 'hello-linux-amd64-v1'],
      ['linux/amd64/v3', 'hello-linux-amd64-v3'],
    ]);
    expect(names(legs)).toEqual(names([oneJob]));
  });

  it('a target outside matrix-targets is an error naming matrix-targets', async () => {
    const error = await build(toolchain('1.26'), {
      targets: 'linux/arm64',
      'matrix-targets': 'linux/amd64 linux/amd64/v3',
      'working-directory': hello(),
      cache: 'false',
    }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('matrix-targets');
    expect((error as Error).message).toContain('linux/arm64');
  });
});

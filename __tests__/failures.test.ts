// A target that fails hides no other target; the failure says where and why.
import { describe, expect, it } from '@jest/globals';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, tempDir } from './support/engine.js';
import { REPO_ROOT, toolchain } from './support/toolchains.js';

const BROKEN = path.join(REPO_ROOT, '__tests__', 'fixtures', 'broken');
const tc = toolchain('1.23');

describe('failing targets', () => {
  it('fail alone: the others build, the error is annotated with file and line once', async () => {
    const run = await build(tc, {
      targets: 'linux/amd64 windows/amd64 windows/386 linux/arm64',
      'working-directory': BROKEN,
    });
    expect(run.manifest.artifacts.map((a) => [a.target, a.status])).toEqual([
      ['linux/amd64', 'ok'],
      ['windows/amd64', 'build-failed'],
      ['windows/386', 'build-failed'],
      ['linux/arm64', 'ok'],
    ]);
    const failed = run.manifest.artifacts[1];
    expect(failed?.path).toBeNull();
    expect(failed?.sha256).toBeNull();
    expect(failed?.error).toContain('go build exited with status 1');
    expect(failed?.error).toContain('broken_windows.go:3');
    const annotations = run.log.lines.filter((l) => l.level === 'error');
    // The same compile error in two targets is one annotation naming both.
    expect(annotations).toHaveLength(1);
    expect(annotations[0]?.message).toMatch(/cannot use 42 .* \(windows\/amd64, windows\/386\)/);
  });

  it('passes the annotation position relative to the workspace', async () => {
    const { buildMatrix } = await import('../src/engine.js');
    const { parseOptions } = await import('../src/options/options.js');
    const { goEnv } = await import('./support/toolchains.js');
    const positions: unknown[] = [];
    const log = {
      info: () => undefined,
      debug: () => undefined,
      warning: () => undefined,
      group: () => undefined,
      error: (_: string, position?: unknown) => positions.push(position),
    };
    const options = parseOptions(
      {
        targets: 'windows/amd64',
        'working-directory': BROKEN,
        'output-dir': path.join(BROKEN, '..', '..', '..', '.cache', 'test', 'broken-out'),
      },
      REPO_ROOT,
    );
    await buildMatrix(options, { baseDir: REPO_ROOT, env: goEnv(tc), log });
    expect(positions).toEqual([
      { file: '__tests__/fixtures/broken/broken_windows.go', line: 3, col: 32, title: 'go build' },
    ]);
  });

  it('fail-fast stops starting targets after the first failure and says so', async () => {
    // A previous run's manifest says windows/amd64 takes longest, so it starts first (the start
    // order is learned; without this, the suite's shared GOCACHE history would decide it).
    const outputDir = tempDir('fail-fast');
    writeFileSync(
      path.join(outputDir, 'manifest.json'),
      JSON.stringify({
        module: 'example.com/broken',
        artifacts: [
          { target: 'windows/amd64', package: '.', buildSeconds: 9 },
          { target: 'linux/amd64', package: '.', buildSeconds: 1 },
          { target: 'linux/arm64', package: '.', buildSeconds: 1 },
          { target: 'linux/386', package: '.', buildSeconds: 1 },
        ],
      }),
    );
    const run = await build(tc, {
      targets: 'windows/amd64 linux/amd64 linux/arm64 linux/386',
      'working-directory': BROKEN,
      'output-dir': outputDir,
      'fail-fast': 'true',
      parallel: '1',
    });
    expect(run.manifest.artifacts.map((a) => [a.target, a.status])).toEqual([
      ['windows/amd64', 'build-failed'],
      ['linux/amd64', 'skipped'],
      ['linux/arm64', 'skipped'],
      ['linux/386', 'skipped'],
    ]);
    expect(run.manifest.artifacts[1]?.error).toBe(
      'not built: fail-fast stopped the matrix after windows/amd64 failed',
    );
  });

  it('targets Go links only externally fail with the reason, without running the linker', async () => {
    const run = await build(tc, {
      targets: 'android/arm ios/arm64 linux/amd64',
      'working-directory': path.join(REPO_ROOT, 'examples', 'hello'),
    });
    expect(run.manifest.artifacts.map((a) => [a.target, a.status])).toEqual([
      ['android/arm', 'build-failed'],
      ['ios/arm64', 'build-failed'],
      ['linux/amd64', 'ok'],
    ]);
    expect(run.manifest.artifacts[0]?.error).toMatch(
      /^Go links android\/arm only with an external linker \(the Android NDK's clang\)\. Set 'cc'/,
    );
    expect(run.manifest.artifacts[1]?.error).toMatch(/^Go links ios\/arm64 only with Apple's linker/);
    expect(run.manifest.artifacts[0]?.buildSeconds).toBeNull();
  });

  it("a stale file from an earlier run is never reported as this run's output", async () => {
    const first = await build(tc, { targets: 'windows/amd64', 'working-directory': BROKEN });
    const stale = path.join(first.outputDir, 'broken-windows-amd64.exe');
    writeFileSync(stale, 'old binary');
    const again = await build(tc, {
      targets: 'windows/amd64',
      'working-directory': BROKEN,
      'output-dir': first.outputDir,
    });
    expect(again.manifest.artifacts[0]?.status).toBe('build-failed');
    expect(existsSync(stale)).toBe(false);
  });

  it('a build that runs past build-timeout is stopped and fails', async () => {
    const run = await build(tc, {
      targets: 'linux/ppc64',
      'working-directory': path.join(REPO_ROOT, 'examples', 'hello'),
      'build-timeout': '1ms',
      // A gcflags value no earlier build used, so nothing is cached and the build takes a while.
      flags: '-gcflags=-B',
    });
    expect(run.manifest.artifacts[0]?.status).toBe('build-failed');
    expect(run.manifest.artifacts[0]?.error).toMatch(/^go build did not finish within the build-timeout/);
  });
});

describe('cc lines', () => {
  it('for a target that does not exist are an error on cc with the nearest spelling, before any build', async () => {
    const out = tempDir('cc-typo');
    await expect(
      build(tc, {
        targets: 'linux/amd64',
        'working-directory': BROKEN,
        cc: 'linxu/arm64=aarch64-linux-gnu-gcc',
        'output-dir': out,
      }),
    ).rejects.toThrow(
      `Input 'cc': "linxu/arm64=aarch64-linux-gnu-gcc" is not valid. 'linxu/arm64' is not a target of go1.23.5; did you mean 'linux/arm64'?`,
    );
    expect(existsSync(path.join(out, 'manifest.json'))).toBe(false);
  });

  it('for a target outside the matrix are a warning', async () => {
    const run = await build(tc, {
      targets: 'linux/amd64',
      'working-directory': BROKEN,
      cc: 'linux/riscv64=riscv64-linux-gnu-gcc',
    });
    expect(run.manifest.artifacts.map((a) => a.status)).toEqual(['ok']);
    expect(run.log.lines.filter((l) => l.level === 'warning').map((l) => l.message)).toEqual([
      "Input 'cc' names a compiler for linux/riscv64, which is not among the targets built here (linux/amd64); it is not used.",
    ]);
  });
});

describe('a bad package', () => {
  it.each([
    [
      './cmd/nothere',
      /^Input 'package': "\.\/cmd\/nothere" is not valid\. go list in module example\.com\/broken says: .*cmd\/nothere/,
    ],
    [
      '../../etc',
      /^Input 'package': "\.\.\/\.\.\/etc" is not valid\. It is the directory \/.*etc, outside the module example\.com\/broken \(/,
    ],
    [
      'fmt',
      /^Input 'package': "fmt" is not valid\. fmt is package fmt, not a main package, so go build makes no executable of it/,
    ],
  ])('%s is one error on package, found before any target builds', async (pkg, message) => {
    const out = tempDir('bad-package');
    const log: string[] = [];
    await expect(
      build(tc, {
        targets: 'linux/amd64 linux/arm64 windows/amd64 darwin/arm64',
        'working-directory': BROKEN,
        package: pkg,
        'output-dir': out,
      }).catch((err: Error) => {
        log.push(err.message);
        throw err;
      }),
    ).rejects.toThrow(message);
    expect(log).toHaveLength(1);
    expect(existsSync(path.join(out, 'manifest.json'))).toBe(false);
  });
});

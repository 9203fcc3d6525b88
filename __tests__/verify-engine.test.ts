// The verifier wired into the engine and the CLI: a file that is not what its target says
// fails that target (and only that target), with the problem in the manifest and an annotation.
import { describe, expect, it } from '@jest/globals';
import { copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CliRun } from './support/cli.js';
import { cli as runCliIn } from './support/cli.js';
import { build, tempDir } from './support/engine.js';
import { EXAMPLE_MODULE, goEnv, REPO_ROOT, toolchain } from './support/toolchains.js';
import type { Built } from './verify/fixtures.js';
import { buildFixtures } from './verify/fixtures.js';

const tc = toolchain('1.23');

const cli = (args: string[], env = goEnv(tc)): Promise<CliRun> => runCliIn(args, env, REPO_ROOT);

describe('verification in a build', () => {
  it('fails a target whose file breaks the linkage policy, and only that target', async () => {
    // linkage: dynamic. Without cgo, Go links Linux and Windows files statically; a macOS file
    // always loads libSystem through dyld, so darwin/arm64 meets the policy and must stay ok.
    const run = await build(tc, {
      targets: 'linux/amd64 darwin/arm64',
      'working-directory': EXAMPLE_MODULE,
      linkage: 'dynamic',
    });
    const [linux, darwin] = run.manifest.artifacts;
    expect(linux?.status).toBe('verify-failed');
    expect(linux?.path).not.toBeNull();
    expect(linux?.verify?.ok).toBe(false);
    expect(linux?.verify?.problems.join(' ')).toMatch(/static/);
    expect(linux?.error).toBe(linux?.verify?.problems.join(' '));
    expect(darwin).toMatchObject({ target: 'darwin/arm64', status: 'ok', error: null });
    expect(darwin?.verify).toMatchObject({ ok: true, linkage: 'dynamic', problems: [] });
    const errors = run.log.lines.filter((l) => l.level === 'error').map((l) => l.message);
    expect(errors).toEqual([
      expect.stringMatching(/hello-linux-amd64 is not a valid linux\/amd64 binary: statically linked but/),
    ]);
  });

  it('records nothing when verify is off', async () => {
    const run = await build(tc, {
      targets: 'linux/amd64',
      'working-directory': EXAMPLE_MODULE,
      verify: 'false',
      linkage: 'dynamic',
    });
    expect(run.manifest.artifacts[0]).toMatchObject({ status: 'ok', verify: null });
  });

  it('bounds the glibc version of a cgo build', async () => {
    const run = await build(tc, {
      targets: 'linux/amd64',
      'working-directory': path.join(REPO_ROOT, '__tests__', 'fixtures', 'verify', 'cgo'),
      'cgo-enabled': '1',
      'max-glibc': '2.17',
    });
    const [a] = run.manifest.artifacts;
    expect(a?.status).toBe('verify-failed');
    expect(a?.verify).toMatchObject({
      linkage: 'dynamic',
      interpreter: '/lib64/ld-linux-x86-64.so.2',
      needed: ['libc.so.6'],
    });
    expect(a?.verify?.glibc).toMatch(/^2\.\d+$/);
    expect(a?.error).toMatch(/GLIBC_2\.\d+/);
  });
});

describe('go-build-matrix verify', () => {
  // The files, built by whichever test runs first: each test runs alone.
  let pending: Promise<{ linux: string; arm: string }> | undefined;
  const built = (): Promise<{ linux: string; arm: string }> =>
    (pending ??= build(tc, { targets: 'linux/amd64 linux/arm/6', 'working-directory': EXAMPLE_MODULE }).then(
      (run) => ({
        linux: path.join('/', run.manifest.artifacts[0]?.path ?? ''),
        arm: path.join('/', run.manifest.artifacts[1]?.path ?? ''),
      }),
    ));

  it('accepts a file for its own target (exit 0) and prints the verdict', async () => {
    const { linux, arm } = await built();
    const r = await cli(['verify', '--target', 'linux/amd64', linux]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      format: 'elf',
      bits: 64,
      machine: 'amd64',
      os: 'linux',
      linkage: 'static',
      problems: [],
    });
    expect((await cli(['verify', '--target', 'linux/arm', arm])).code).toBe(0);
    expect((await cli(['verify', '--target', 'linux/arm/6', arm])).code).toBe(0);
  });

  it('rejects a file for another target or variant (exit 1) with a sentence', async () => {
    const { linux, arm } = await built();
    const r = await cli(['verify', '--target', 'linux/arm64', linux]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).problems.join(' ')).toMatch(/linux\/amd64.*linux\/arm64/);
    const v = await cli(['verify', '--target', 'linux/arm/7', arm]);
    expect(v.code).toBe(1);
    expect(JSON.parse(v.stdout).problems.join(' ')).toMatch(/GOARM=6/);
  });

  it('rejects what is no executable, or only part of one (exit 1)', async () => {
    const { linux } = await built();
    const dir = tempDir('verify-cli');
    const truncated = path.join(dir, 'truncated');
    writeFileSync(truncated, readFileSync(linux).subarray(0, 100));
    const script = path.join(dir, 'script');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    const empty = path.join(dir, 'empty');
    writeFileSync(empty, '');
    for (const file of [truncated, script, empty]) {
      const r = await cli(['verify', '--target', 'linux/amd64', file]);
      expect([file, r.code, JSON.parse(r.stdout).ok]).toEqual([file, 1, false]);
    }
  });

  it('works without Go on PATH, on a file built elsewhere', async () => {
    const { linux } = await built();
    const copy = path.join(tempDir('elsewhere'), 'app');
    copyFileSync(linux, copy);
    const r = await cli(['verify', '--target', 'linux/amd64', copy], { PATH: '/nonexistent' });
    expect(r.code).toBe(0);
  });

  it.each([
    [
      ['verify', '--target', 'linux/amd46', 'x'],
      "Input 'target': \"linux/amd46\" is not valid. 'linux/amd46' is not a target of any Go release the verifier knows; did you mean 'linux/amd64'?",
    ],
    [['verify', '--target', 'linux/*', 'x'], 'without wildcards or presets'],
    [['verify', '--target', 'linux/arm64/v8.2,lse', 'x'], "did you mean 'linux/arm64/v8.2+lse'?"],
    [['verify', '--target', 'linux/arm/7+lse', 'x'], "'lse' is not a GOARM feature (hardfloat, softfloat)"],
    [['verify', 'x'], 'verify needs --target'],
    [['verify', '--target', 'linux/amd64'], 'verify takes exactly one FILE (got 0)'],
    [['verify', '--target', 'linux/amd64', '/no/such/file'], '/no/such/file is not a file'],
    [['verify', '--target', 'linux/amd64', '--linkage', 'shared', 'x'], "Input 'linkage'"],
    [['verify', '--bogus', 'x'], "Unknown option '--bogus'"],
  ])('usage error %j exits 2', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('verify judges the file, not the Go on PATH', () => {
  // Files of ports and variants that some toolchains lack: windows/arm is gone from Go 1.26,
  // wasip1/wasm and GOARM64 are unknown to Go 1.19, linux/ppc64 is ELFv2 from Go 1.27.
  const files = async (): Promise<[string, string][]> => {
    const b123 = await buildFixtures(toolchain('1.23'), [
      { name: 'windows-arm', goos: 'windows', goarch: 'arm' },
      { name: 'wasip1-wasm', goos: 'wasip1', goarch: 'wasm' },
    ]);
    const b127 = await buildFixtures(toolchain('1.27'), [
      { name: 'linux-ppc64', goos: 'linux', goarch: 'ppc64' },
      { name: 'linux-arm64-v8.2+crypto', goos: 'linux', goarch: 'arm64', env: { GOARM64: 'v8.2,crypto' } },
      { name: 'linux-arm-6+softfloat', goos: 'linux', goarch: 'arm', env: { GOARM: '6,softfloat' } },
    ]);
    const path = (m: Map<string, Built>, n: string): string => {
      const p = m.get(n)?.path;
      if (!p) throw new Error(`${n} did not build: ${m.get(n)?.error}`);
      return p;
    };
    return [
      [path(b123, 'windows-arm'), 'windows/arm'],
      [path(b123, 'windows-arm'), 'windows/arm64'],
      [path(b123, 'wasip1-wasm'), 'wasip1/wasm'],
      [path(b123, 'wasip1-wasm'), 'js/wasm'],
      [path(b127, 'linux-ppc64'), 'linux/ppc64'],
      [path(b127, 'linux-ppc64'), 'linux/ppc64le'],
      [path(b127, 'linux-arm64-v8.2+crypto'), 'linux/arm64/v8.2+crypto'],
      [path(b127, 'linux-arm64-v8.2+crypto'), 'linux/arm64/v8.2+crypto+lse'],
      [path(b127, 'linux-arm64-v8.2+crypto'), 'linux/arm64/v8.2'],
      [path(b127, 'linux-arm-6+softfloat'), 'linux/arm/6+softfloat'],
      [path(b127, 'linux-arm-6+softfloat'), 'linux/arm/6'],
    ];
  };

  it('gives one verdict with Go 1.19, Go 1.27 or no Go on PATH', async () => {
    const verdicts: Record<string, string[]> = {};
    for (const [file, target] of await files()) {
      const runs = [
        await cli(['verify', '--target', target, file], goEnv(toolchain('1.19'))),
        await cli(['verify', '--target', target, file], goEnv(toolchain('1.27'))),
        await cli(['verify', '--target', target, file], { PATH: '/nonexistent' }),
      ];
      expect(runs.map((r) => [r.code, r.stdout, r.stderr])).toEqual(
        Array.from({ length: 3 }, () => [runs[0]?.code, runs[0]?.stdout, '']),
      );
      verdicts[`${target} ← ${file.split('/').slice(-2).join('/')}`] = [
        String(runs[0]?.code),
        ...(JSON.parse(runs[0]?.stdout ?? '{}') as { problems: string[] }).problems,
      ];
    }
    expect(verdicts).toEqual({
      'windows/arm ← 1.23/windows-arm': ['0'],
      'windows/arm64 ← 1.23/windows-arm': [
        '1',
        expect.stringMatching(/^built for windows\/arm /),
        'build info says GOARCH=arm but the target is windows/arm64',
      ],
      'wasip1/wasm ← 1.23/wasip1-wasm': ['0'],
      'js/wasm ← 1.23/wasip1-wasm': [
        '1',
        'built for wasip1/wasm (WebAssembly) but the target is js/wasm (WebAssembly): the headers show imports from wasi_snapshot_preview1',
        'build info says GOOS=wasip1 but the target is js/wasm',
      ],
      'linux/ppc64 ← 1.27/linux-ppc64': ['0'],
      'linux/ppc64le ← 1.27/linux-ppc64': [
        '1',
        expect.stringMatching(/^built for linux\/ppc64 /),
        'build info says GOARCH=ppc64 but the target is linux/ppc64le',
      ],
      'linux/arm64/v8.2+crypto ← 1.27/linux-arm64-v8.2+crypto': ['0'],
      // v8.2 has LSE by itself, so naming it changes nothing.
      'linux/arm64/v8.2+crypto+lse ← 1.27/linux-arm64-v8.2+crypto': ['0'],
      'linux/arm64/v8.2 ← 1.27/linux-arm64-v8.2+crypto': [
        '1',
        'build info says GOARM64=v8.2,crypto but the target requires GOARM64=v8.2',
      ],
      'linux/arm/6+softfloat ← 1.27/linux-arm-6+softfloat': ['0'],
      'linux/arm/6 ← 1.27/linux-arm-6+softfloat': [
        '1',
        'build info says GOARM=6,softfloat but the target requires GOARM=6',
      ],
    });
  });
});

// The verifier wired into the engine and the CLI: a file that is not what its target says
// fails that target (and only that target), with the problem in the manifest and an annotation.
import { describe, expect, it } from '@jest/globals';
import { copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CliRun } from './support/cli.js';
import { cli as runCliIn } from './support/cli.js';
import { build, tempDir } from './support/engine.js';
import { EXAMPLE_MODULE, goEnv, REPO_ROOT, toolchain } from './support/toolchains.js';

const tc = toolchain('1.23');

const cli = (args: string[], env = goEnv(tc)): Promise<CliRun> => runCliIn(args, env, REPO_ROOT);

describe('verification in a build', () => {
  it('fails a target whose file breaks the linkage policy, and only that target', async () => {
    const run = await build(tc, {
      targets: 'linux/amd64 windows/amd64',
      'working-directory': EXAMPLE_MODULE,
      linkage: 'dynamic',
    });
    const [linux, windows] = run.manifest.artifacts;
    expect(linux?.status).toBe('verify-failed');
    expect(linux?.path).not.toBeNull();
    expect(linux?.verify?.ok).toBe(false);
    expect(linux?.verify?.problems.join(' ')).toMatch(/static/);
    expect(linux?.error).toBe(linux?.verify?.problems.join(' '));
    expect(windows?.status).toBe('verify-failed');
    const errors = run.log.lines.filter((l) => l.level === 'error').map((l) => l.message);
    // Annotated as each target finishes, so in either order.
    expect(errors.sort()).toEqual([
      expect.stringMatching(/hello-linux-amd64 is not a valid linux\/amd64 binary: statically linked but/),
      expect.stringMatching(/hello-windows-amd64\.exe is not a valid windows\/amd64 binary: /),
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
  let linux: string;
  let arm: string;

  it('accepts a file for its own target (exit 0) and prints the verdict', async () => {
    const run = await build(tc, { targets: 'linux/amd64 linux/arm/6', 'working-directory': EXAMPLE_MODULE });
    linux = path.join('/', run.manifest.artifacts[0]?.path ?? '');
    arm = path.join('/', run.manifest.artifacts[1]?.path ?? '');
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
    const r = await cli(['verify', '--target', 'linux/arm64', linux]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).problems.join(' ')).toMatch(/linux\/amd64.*linux\/arm64/);
    const v = await cli(['verify', '--target', 'linux/arm/7', arm]);
    expect(v.code).toBe(1);
    expect(JSON.parse(v.stdout).problems.join(' ')).toMatch(/GOARM=6/);
  });

  it('rejects what is no executable, or only part of one (exit 1)', async () => {
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
    const copy = path.join(tempDir('elsewhere'), 'app');
    copyFileSync(linux, copy);
    const r = await cli(['verify', '--target', 'linux/amd64', copy], { PATH: '/nonexistent' });
    expect(r.code).toBe(0);
  });

  it.each([
    [
      ['verify', '--target', 'linux/amd46', 'x'],
      "Input 'target': \"linux/amd46\" is not valid. 'linux/amd46' is not a target of go1.23.5; did you mean 'linux/amd64'?",
    ],
    [['verify', '--target', 'linux/*', 'x'], 'without wildcards or presets'],
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

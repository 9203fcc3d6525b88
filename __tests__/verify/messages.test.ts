// What verify says when the file is not what was asked: a cgo binary names the flag (CLI) or input (action)
// that accepts it, and an archive made by the usual tools is named as one, with what to do.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cli } from '../support/cli.js';
import { toolchain } from '../support/toolchains.js';
import type { VerifyResult } from '../../src/verify/index.js';
import { verifyFile } from '../../src/verify/index.js';
import { CGO_MODULE, buildFixtures } from './fixtures.js';

const run = promisify(execFile);

let dir = '';
let cgo = '';
let pure = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'verify-messages-'));
  const built = await buildFixtures(toolchain('1.26'), [
    // The same specs (and so the same cached files) as floor.test.ts.
    {
      name: 'floor-cgo-linux-amd64',
      goos: 'linux',
      goarch: 'amd64',
      env: { CGO_ENABLED: '1', CC: 'gcc' },
      dir: CGO_MODULE,
    },
    { name: 'linux-amd64', goos: 'linux', goarch: 'amd64' },
  ]);
  const file = (name: string): string => {
    const b = built.get(name);
    if (!b?.path) throw new Error(`${name} did not build with Go 1.26: ${b?.error}`);
    return b.path;
  };
  cgo = file('floor-cgo-linux-amd64');
  pure = file('linux-amd64');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const verify = (args: string[]): ReturnType<typeof cli> => cli(['verify', ...args], {}, dir);

describe('a cgo binary verified as pure Go', () => {
  it('the CLI names --cgo-enabled 1 and --linkage', async () => {
    const r = await verify(['--target', 'linux/amd64', cgo]);
    expect(r.code).toBe(1);
    const problems = (JSON.parse(r.stdout) as VerifyResult).problems;
    expect(problems).toContain(
      'build info says CGO_ENABLED=1 but the target requires CGO_ENABLED=0: if it is meant to be a cgo build, verify with --cgo-enabled 1',
    );
    expect(problems.join('\n')).toMatch(
      /^dynamically linked \(interpreter .*\) but linux\/amd64 must be static: .*, or allow dynamic linkage \(verify with --linkage dynamic\)$/m,
    );
    // Doing what it says passes.
    expect((await verify(['--target', 'linux/amd64', '--cgo-enabled', '1', cgo])).code).toBe(0);
  });

  it('the action names its inputs cgo-enabled and linkage', async () => {
    const r = await verifyFile(cgo, {
      goos: 'linux',
      goarch: 'amd64',
      variant: null,
      cgoEnabled: '0',
      linkage: 'static',
      maxGlibc: null,
    });
    expect(r.problems.join('\n')).toContain('if it is meant to be a cgo build, set the input cgo-enabled: 1');
    expect(r.problems.join('\n')).toContain('or allow dynamic linkage (set the input linkage: dynamic)');
    const asCgo = await verifyFile(pure, {
      goos: 'linux',
      goarch: 'amd64',
      variant: null,
      cgoEnabled: '1',
      linkage: 'dynamic',
      maxGlibc: null,
    });
    expect(asCgo.problems).toEqual([
      'build info says CGO_ENABLED=0 but the target requires CGO_ENABLED=1: if it is meant to be a pure Go build, set the input cgo-enabled: 0',
      'statically linked but linux/amd64 must be dynamically linked: build it with cgo (CGO_ENABLED=1), or allow static linkage (set the input linkage: static)',
    ]);
  });
});

describe('an archive', () => {
  // Each made by the tool a release step would use, around the same real binary.
  const ARCHIVES: [string, [string, ...string[]], string][] = [
    ['app.tar.gz', ['tar', '-czf'], 'a gzip archive (it starts with 1f 8b)'],
    ['app.tgz.zip', ['zip', '-q', '-j'], 'a zip archive (it starts with 50 4b 03 04)'],
    ['app.tar.xz', ['tar', '-cJf'], 'an xz archive (it starts with fd 37 7a 58 5a 00)'],
    ['app.tar.zst', ['tar', '--zstd', '-cf'], 'a zstd archive (it starts with 28 b5 2f fd)'],
    ['app.tar.bz2', ['tar', '-cjf'], 'a bzip2 archive (it starts with 42 5a 68)'],
    ['app.tar', ['tar', '-cf'], 'a tar archive (at offset 257: 75 73 74 61 72)'],
  ];

  it.each(ARCHIVES)('%s is named, with what to do', async (name, [tool, ...flags], what) => {
    const archive = path.join(dir, name);
    const inputs = tool === 'tar' ? ['-C', path.dirname(pure), path.basename(pure)] : [pure];
    await run(tool, [...flags, archive, ...inputs]);
    const r = await verify(['--target', 'linux/amd64', archive]);
    expect(r.code).toBe(1);
    const verdict = JSON.parse(r.stdout) as VerifyResult;
    expect(verdict.problems).toEqual([
      `${what}, not an executable: verify the binary inside (extract it first)`,
    ]);
  });
});

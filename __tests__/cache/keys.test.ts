// Cache key composition: what shares an entry and what must not.
import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildKeys,
  compileInputsHash,
  hashDependencies,
  modulesKeys,
  movingPart,
} from '../../src/cache/keys.js';
import { moduleDir, tempDir } from './helpers.js';

const env = { RUNNER_OS: 'Linux', RUNNER_ARCH: 'X64', GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '2' };
const base = [
  'linux/amd64 GOAMD64=v1',
  'linux/arm64 GOARM64=v8.0',
  'CGO_ENABLED=0',
  'tags=',
  'flags=',
  'trimpath=true',
];
const stable = (inputs: readonly string[], e: Record<string, string> = env, go = 'go1.23.5') =>
  buildKeys('go-build-matrix', e, go, ['.'], inputs, 'MOVING').restoreKeys[0];

describe('GOCACHE keys', () => {
  it('are runner + toolchain + inputs hash + a moving part, restore keys from most to least specific', () => {
    const keys = buildKeys(
      'go-build-matrix',
      env,
      'go1.23.5',
      ['.'],
      base,
      movingPart(env, 1700000000, new Date(0)),
    );
    expect(keys.key).toMatch(
      /^go-build-matrix-gocache-Linux-X64-go1\.23\.5-[0-9a-f]{8}-[0-9a-f]{16}-1700000000-42-2$/,
    );
    expect(keys.restoreKeys).toEqual([
      keys.key.replace(/1700000000-42-2$/, ''),
      keys.key.replace(/[0-9a-f]{16}-1700000000-42-2$/, ''),
      'go-build-matrix-gocache-Linux-X64-go1.23.5-',
    ]);
    for (const k of keys.restoreKeys) expect(keys.key.startsWith(k)).toBe(true);
  });

  it.each([
    ['another target set', [...base.slice(1)]],
    ['another variant', base.map((i) => i.replace('GOAMD64=v1', 'GOAMD64=v3'))],
    ['cgo on', base.map((i) => i.replace('CGO_ENABLED=0', 'CGO_ENABLED=1'))],
    ['build tags', base.map((i) => i.replace('tags=', 'tags=netgo'))],
    ['flags', base.map((i) => i.replace('flags=', 'flags=-race'))],
    ['no trimpath', base.map((i) => i.replace('trimpath=true', 'trimpath=false'))],
  ])('change with %s', (_, inputs) => {
    expect(stable(inputs)).not.toBe(stable(base));
  });

  it('keep package sets apart, sharing only the toolchain restore key', () => {
    const a = buildKeys('p', env, 'go1.23.5', ['./cmd/a'], base, 'm');
    const b = buildKeys('p', env, 'go1.23.5', ['./cmd/b', './cmd/c'], base, 'm');
    expect(a.restoreKeys.slice(0, 2)).not.toContain(b.restoreKeys[0]);
    expect(a.restoreKeys[1]).not.toBe(b.restoreKeys[1]);
    expect(a.restoreKeys[2]).toBe(b.restoreKeys[2]);
    expect(buildKeys('p', env, 'go1.23.5', ['./cmd/c', './cmd/b'], base, 'm')).toEqual(b);
  });

  it('change with the runner and the Go version', () => {
    expect(stable(base, { ...env, RUNNER_ARCH: 'ARM64' })).not.toBe(stable(base));
    expect(stable(base, { ...env, RUNNER_OS: 'macOS' })).not.toBe(stable(base));
    expect(stable(base, env, 'go1.19.8')).not.toBe(stable(base));
  });

  it('do not depend on input order, repetition or the run', () => {
    expect(stable([...base].reverse())).toBe(stable(base));
    expect(stable([...base, ...base])).toBe(stable(base));
    expect(stable(base, { ...env, GITHUB_RUN_ID: '43' })).toBe(stable(base));
    expect(compileInputsHash(['a', 'b'])).not.toBe(compileInputsHash(['a b']));
  });

  it('move with every run and attempt, after the commit time, falling back to a timestamp', () => {
    expect(movingPart(env, 1700000000, new Date(0))).toBe('1700000000-42-2');
    expect(movingPart({ ...env, GITHUB_RUN_ATTEMPT: '3' }, 1700000000, new Date(0))).toBe('1700000000-42-3');
    const a = movingPart({}, 1700000000, new Date('2026-01-02T03:04:05.678Z'));
    expect(a).toBe('1700000000-20260102T030405678Z');
    expect(movingPart({}, 1700000000, new Date('2026-01-02T03:04:05.679Z'))).not.toBe(a);
  });

  it('two jobs of one run with different target sets never share a key, only the toolchain restore key', () => {
    const job1 = buildKeys(
      'p',
      env,
      'go1.23.5',
      ['.'],
      ['linux/amd64 GOAMD64=v1', 'CGO_ENABLED=0'],
      movingPart(env, 1700000000, new Date()),
    );
    const job2 = buildKeys(
      'p',
      env,
      'go1.23.5',
      ['.'],
      ['windows/arm64', 'CGO_ENABLED=0'],
      movingPart(env, 1700000000, new Date()),
    );
    expect(job1.key).not.toBe(job2.key);
    expect(job1.key.startsWith(job2.restoreKeys[0] ?? '')).toBe(false);
    expect(job1.restoreKeys[1]).toBe(job2.restoreKeys[1]);
  });

  it('clean commas and whitespace out of the prefix (the service splits keys on commas)', () => {
    expect(buildKeys('my, prefix', env, 'go1.23.5', ['.'], base, 'm').key).toMatch(/^my_prefix-gocache-/);
  });

  it('fall back to the process platform outside a runner', () => {
    expect(buildKeys('p', {}, 'go1.23.5', ['.'], base, 'm').key).toContain(
      `-gocache-${process.platform}-${process.arch}-`,
    );
  });
});

describe('GOMODCACHE keys', () => {
  it('hash go.sum when there is one, else go.mod, and are shared by all targets', async () => {
    const root = tempDir('keys');
    const dir = moduleDir(root);
    const withoutSum = await hashDependencies(dir);
    expect(withoutSum.file).toBe('go.mod');
    writeFileSync(path.join(dir, 'go.sum'), 'example.com/dep v1.0.0 h1:abc=\n');
    const withSum = await hashDependencies(dir);
    expect(withSum.file).toBe('go.sum');
    expect(withSum.hash).not.toBe(withoutSum.hash);
    writeFileSync(path.join(dir, 'go.mod'), 'module example.com/m\n\ngo 1.23\n');
    expect((await hashDependencies(dir)).hash).toBe(withSum.hash);
    writeFileSync(path.join(dir, 'go.sum'), 'example.com/dep v1.0.1 h1:def=\n');
    expect((await hashDependencies(dir)).hash).not.toBe(withSum.hash);

    const keys = modulesKeys('go-build-matrix', env, withSum, 1700000000);
    expect(keys).toEqual({
      key: `go-build-matrix-gomod-Linux-X64-${withSum.module}-${withSum.hash}-1700000000`,
      restoreKeys: [`go-build-matrix-gomod-Linux-X64-${withSum.module}-${withSum.hash}-`],
    });
    expect(withSum.module).toMatch(/^[0-9a-f]{8}$/);
    expect(modulesKeys('go-build-matrix', { ...env, GITHUB_RUN_ID: '7' }, withSum, 1700000000)).toEqual(keys);
  });

  it('keep the modules of one repository apart', async () => {
    const a = moduleDir(tempDir('keys-a'));
    const b = moduleDir(tempDir('keys-b'));
    writeFileSync(
      path.join(b, 'go.mod'),
      readFileSync(path.join(a, 'go.mod'), 'utf8').replace(/^module .*$/m, 'module example.com/other'),
    );
    const [da, db] = await Promise.all([hashDependencies(a), hashDependencies(b)]);
    expect(da.module).not.toBe(db.module);
    expect(modulesKeys('p', env, da, 1).key).not.toBe(modulesKeys('p', env, db, 1).key);
  });

  it('fail clearly without go.mod', async () => {
    await expect(hashDependencies(tempDir('nomod'))).rejects.toThrow(/neither go.sum nor go.mod/);
  });
});

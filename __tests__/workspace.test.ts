// go.work workspaces through the bundled CLI (dist/cli.js; `npm run build` first): the layout of
// issue 23 (app requires example.com/lib v0.0.0, which no proxy serves) builds from the module
// and from the workspace root, and a workspace with a module from a (file://) proxy caches it
// with the real @actions/cache against the local results service, keyed on go.work.sum.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Manifest } from '../src/report/manifest.js';
import { jobEnv } from './cache/helpers.js';
import { tempDir } from './support/engine.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';
import type { Release, Toolchain } from './support/toolchains.js';
import { goEnv, REPO_ROOT, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);

let service: ResultsService;
beforeAll(async () => {
  service = await startResultsService();
});
afterAll(async () => {
  await service.close();
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>, cwd: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'dist', 'cli.js'), 'build', ...args],
      { env, cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({ code: error ? (typeof code === 'number' ? code : null) : 0, stdout, stderr });
      },
    );
  });
}

const manifestIn = (dir: string): Manifest =>
  JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

// `go 1.18` everywhere: the first release with go.work, so every toolchain of the suite takes it.
const GO_LINE = 'go 1.18';

/** go.work with `use ./app ./lib`; lib prints through app. `appRequires` are app's require lines. */
function workspace(name: string, appRequires: string[], appImports: string[], extraWork = ''): string {
  const root = path.join(tempDir(name), 'ws');
  write(path.join(root, 'go.work'), `${GO_LINE}\n\nuse (\n\t./app\n\t./lib\n)\n${extraWork}`);
  write(path.join(root, 'lib', 'go.mod'), `module example.com/lib\n\n${GO_LINE}\n`);
  write(path.join(root, 'lib', 'lib.go'), 'package lib\n\nfunc Msg() string { return "via lib" }\n');
  write(
    path.join(root, 'app', 'go.mod'),
    `module example.com/app\n\n${GO_LINE}\n\nrequire (\n${appRequires.map((r) => `\t${r}\n`).join('')})\n`,
  );
  const calls = appImports.map((i) => `${path.basename(i) === 'greet' ? 'greet.Hello()' : 'lib.Msg()'}`);
  write(
    path.join(root, 'app', 'main.go'),
    `package main\n\nimport (\n\t"fmt"\n\n${appImports.map((i) => `\t"${i}"\n`).join('')})\n\nfunc main() { fmt.Println(${calls.join(', ')}) }\n`,
  );
  return root;
}

/** A file:// module proxy serving example.com/greet v1.0.0. */
async function greetProxy(): Promise<string> {
  const root = tempDir('ws-proxy');
  const src = path.join(root, 'src', 'example.com', 'greet@v1.0.0');
  write(path.join(src, 'go.mod'), `module example.com/greet\n\n${GO_LINE}\n`);
  write(path.join(src, 'greet.go'), 'package greet\n\nfunc Hello() string { return "hello" }\n');
  const versions = path.join(root, 'proxy', 'example.com', 'greet', '@v');
  write(path.join(versions, 'list'), 'v1.0.0\n');
  write(path.join(versions, 'v1.0.0.info'), '{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}\n');
  write(path.join(versions, 'v1.0.0.mod'), `module example.com/greet\n\n${GO_LINE}\n`);
  await execFileAsync(
    'zip',
    ['-q', '-X', '-r', path.join(versions, 'v1.0.0.zip'), 'example.com/greet@v1.0.0'],
    {
      cwd: path.join(root, 'src'),
    },
  );
  return `file://${path.join(root, 'proxy')}`;
}

async function runBinary(file: string): Promise<string> {
  return (await execFileAsync(file)).stdout;
}

/**
 * The dependency hash in a workspace's GOMODCACHE key, by a second implementation (not
 * src/cache/keys.ts, whose key the test checks): go.work, go.work.sum and the go.sum of every
 * module Go lists as used (its go.mod where it has none), in that order with the modules sorted,
 * each named relative to go.work and framed by its length; the first 16 hex digits of sha256sum.
 */
async function workspaceHash(tc: Toolchain, ws: string): Promise<string> {
  const { stdout } = await execFileAsync(tc.go, ['list', '-m', '-f', '{{.Dir}}'], {
    cwd: ws,
    env: goEnv(tc, { GOPROXY: 'off' }),
  });
  const read = (file: string): Buffer | null => (existsSync(file) ? readFileSync(file) : null);
  const framed = (file: string, content: Buffer | null): Buffer[] => [
    Buffer.from(`${path.relative(ws, file)}\0${content === null ? '-' : content.length}\0`),
    ...(content === null ? [] : [content]),
  ];
  const input = Buffer.concat([
    ...framed(path.join(ws, 'go.work'), read(path.join(ws, 'go.work'))),
    ...framed(path.join(ws, 'go.work.sum'), read(path.join(ws, 'go.work.sum'))),
    ...stdout
      .trim()
      .split('\n')
      .sort()
      .flatMap((dir) =>
        framed(path.join(dir, 'go.sum'), read(path.join(dir, 'go.sum')) ?? read(path.join(dir, 'go.mod'))),
      ),
  ]);
  return execFileSync('sha256sum', { input, encoding: 'utf8' }).slice(0, 16);
}

describe.each<Release>(['1.19', '1.23', '1.26', '1.27'])('a go.work workspace (Go %s)', (release) => {
  const tc: Toolchain = toolchain(release);

  it('builds when app requires example.com/lib v0.0.0, from the module and from the workspace root', async () => {
    const ws = workspace('ws-local', ['example.com/lib v0.0.0'], ['example.com/lib']);
    const out = tempDir('ws-out');
    // GOPROXY=off: nothing of this workspace comes from a proxy, and example.com/lib@v0.0.0 must not be asked for.
    const env = goEnv(tc, { GOPROXY: 'off', GOMODCACHE: tempDir('ws-modcache') });

    const fromModule = await cli(
      ['--targets', 'linux/amd64 windows/arm64', '--output-dir', path.join(out, 'app')],
      env,
      path.join(ws, 'app'),
    );
    expect(fromModule.stderr).not.toMatch(/error/i);
    expect(fromModule.code).toBe(0);
    const m1 = manifestIn(path.join(out, 'app'));
    expect(m1.artifacts.map((a) => [a.target, a.status])).toEqual([
      ['linux/amd64', 'ok'],
      ['windows/arm64', 'ok'],
    ]);
    expect(m1.module).toBe('example.com/app');
    expect(m1.workspace).toEqual({
      file: '../go.work',
      modules: [
        { path: 'example.com/app', dir: '.' },
        { path: 'example.com/lib', dir: '../lib' },
      ],
    });
    expect(await runBinary(path.join(out, 'app', 'app-linux-amd64'))).toBe('via lib\n');

    const fromRoot = await cli(
      ['--package', './app', '--targets', 'linux/amd64', '--output-dir', path.join(out, 'root')],
      env,
      ws,
    );
    expect(fromRoot.code).toBe(0);
    const m2 = manifestIn(path.join(out, 'root'));
    expect(m2.module).toBe('example.com/app');
    expect(m2.workspace).toEqual({
      file: 'go.work',
      modules: [
        { path: 'example.com/app', dir: 'app' },
        { path: 'example.com/lib', dir: 'lib' },
      ],
    });
    expect(await runBinary(path.join(out, 'root', 'app-linux-amd64'))).toBe('via lib\n');

    // GOWORK=off from the job: module mode as before (go mod download, which then asks for lib v0.0.0).
    const off = await cli(
      ['--targets', 'linux/amd64', '--output-dir', path.join(out, 'off')],
      { ...env, GOWORK: 'off' },
      path.join(ws, 'app'),
    );
    expect(off.code).toBe(1);
    expect(off.stderr).toMatch(/go mod download exited with status 1:\n.*example\.com\/lib@v0\.0\.0/s);
  });

  it('caches the proxy module in GOMODCACHE, keyed on go.work.sum', async () => {
    const proxy = await greetProxy();
    const ws = workspace(
      'ws-proxy',
      ['example.com/greet v1.0.0', 'example.com/lib v0.0.0'],
      ['example.com/greet', 'example.com/lib'],
      '\nreplace example.com/lib v0.0.0 => ./lib\n',
    );
    const runner = tempDir('ws-runner');
    const dirs = { GOCACHE: path.join(runner, 'gocache'), GOMODCACHE: path.join(runner, 'gomodcache') };
    // The checksums as a developer commits them: Go itself writes them to go.work.sum.
    await execFileAsync(tc.go, ['mod', 'download', 'example.com/greet'], {
      cwd: path.join(ws, 'app'),
      env: goEnv(tc, { GOPROXY: proxy, GOSUMDB: 'off', GOMODCACHE: tempDir('ws-seed') }),
    });
    await execFileAsync(tc.go, ['list', '-deps', './app'], {
      cwd: ws,
      env: goEnv(tc, { GOPROXY: proxy, GOSUMDB: 'off', GOMODCACHE: tempDir('ws-seed') }),
    });
    const workSum = path.join(ws, 'go.work.sum');
    const sums = [workSum, path.join(ws, 'app', 'go.sum')]
      .filter(existsSync)
      .map((f) => readFileSync(f, 'utf8'));
    expect(sums.join('')).toMatch(/^example\.com\/greet v1\.0\.0 h1:/m);

    const prefix = `ws-${release}`;
    const out = path.join(ws, 'dist');
    const args = [
      '--targets',
      'linux/amd64',
      '--output-dir',
      out,
      '--cache-key-prefix',
      prefix,
      '--upload',
      'false',
    ];
    const env = (runId: string, extra: Record<string, string>) =>
      goEnv(tc, { ...jobEnv(service.env, runner, runId), ...dirs, GOSUMDB: 'off', ...extra });
    const modEntries = () =>
      service
        .cacheEntries()
        .map((e) => e.key)
        .filter((key) => key.startsWith(`${prefix}-gomod-`));
    const expectedHash = () => workspaceHash(tc, ws);

    const first = await cli(args, env('1', { GOPROXY: proxy }), path.join(ws, 'app'));
    expect(first.code).toBe(0);
    const firstHash = await expectedHash();
    expect(modEntries()).toEqual([
      expect.stringMatching(new RegExp(`^${prefix}-gomod-Linux-X64-[0-9a-f]{8}-${firstHash}-\\d+$`)),
    ]);
    expect(manifestIn(out).workspace?.file).toBe('../go.work');
    expect(manifestIn(out).cache?.use).toBe('restore-and-save');

    // A fresh runner with no proxy: the module comes back from the cache. (Other link flags, so
    // the binary is built again rather than taken from the first run's delta.)
    await execFileAsync(tc.go, ['clean', '-modcache'], { env: goEnv(tc, dirs) });
    const second = await cli(
      [...args, '--ldflags', '-s'],
      env('2', { GOPROXY: 'off' }),
      path.join(ws, 'app'),
    );
    expect(second.stderr).toMatch(/GOMODCACHE: restored from .*-gomod-.*not saving it again/);
    expect(second.code).toBe(0);
    expect(manifestIn(out).cache?.hit).toBe('true');
    expect(await runBinary(path.join(out, 'app-linux-amd64'))).toBe('hello via lib\n');

    // go.work.sum changes (the workspace gained a dependency): a new GOMODCACHE entry, not the old one.
    appendFileSync(
      workSum,
      'example.com/other v1.0.0/go.mod h1:qmCUdUgvYzVx/QpXPHPcbrzaJCOfJUUeUlhKWag7bZg=\n',
    );
    const third = await cli(args, env('3', { GOPROXY: proxy }), path.join(ws, 'app'));
    expect(third.code).toBe(0);
    const thirdHash = await expectedHash();
    expect(thirdHash).not.toBe(firstHash);
    expect(modEntries()).toHaveLength(2);
    expect(modEntries()).toContainEqual(expect.stringMatching(new RegExp(`-${thirdHash}-\\d+$`)));
  });
});

// go.mod's `toolchain` and `go` lines against the Go on PATH, and a GOTOOLCHAIN chosen in `env`:
// an age-like go.mod (`go 1.25.0`, `toolchain go1.27.0`) builds with Go 1.26 and one warning; a
// newer go line stays an error; GOTOOLCHAIN=go1.27.3 (or auto with a toolchain line) with Go 1.26
// on PATH builds with go1.27.3, and the manifest and the cache key say so. Offline: GOPROXY=off,
// and go1.27.3 is the toolchain module the machine's GOMODCACHE already holds (toolchains.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '../src/options/errors.js';
import { parseOptions } from '../src/options/options.js';
import { jobEnv } from './cache/helpers.js';
import { build, copyModule, tempDir } from './support/engine.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';
import { EXAMPLE_MODULE, GO127, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
const go126 = toolchain('1.26');
const offline = { GOPROXY: 'off' };

let service: ResultsService;
beforeAll(async () => {
  service = await startResultsService();
});
afterAll(async () => {
  await service.close();
});

function moduleWith(lines: string): string {
  const dir = tempDir('toolchain-lines');
  copyModule(EXAMPLE_MODULE, dir);
  writeFileSync(path.join(dir, 'go.mod'), `module example.com/hello\n\n${lines}\n`);
  return dir;
}

/** The Go version in a binary's build info, as the toolchain that built it reads it. */
async function builtBy(file: string): Promise<string> {
  const { stdout } = await execFileAsync(go126.go, ['version', file]);
  return stdout.trim().split(' ').at(-1) ?? '';
}

const machineModules = (): string =>
  execFileSync(go126.go, ['env', 'GOMODCACHE'], {
    encoding: 'utf8',
    env: { ...process.env, GOENV: 'off' },
  }).trim();

/**
 * Offline, and the same on every machine: a GOMODCACHE of its own (the cache saves it), into which Go
 * unpacks go1.27.3 from the machine's module cache served as a file proxy. With the machine's own
 * GOMODCACHE and GOPROXY=off, Go checks the toolchain against the checksum database, and whether
 * the tiles it needs happen to be cached would decide the test.
 */
function toolchainFromMachine(root: string): Record<string, string> {
  return {
    GOMODCACHE: path.join(root, 'gomodcache'),
    GOPROXY: `file://${path.join(machineModules(), 'cache', 'download')}`,
    GOSUMDB: 'off',
  };
}

const GO126_VERSION = /^go1\.26\.\d+$/;

describe('a toolchain line newer than the Go on PATH', () => {
  it('builds with the Go on PATH and one warning naming both versions and the setup-go fix', async () => {
    const dir = moduleWith('go 1.25.0\n\ntoolchain go1.27.0');
    const run = await build(
      go126,
      { targets: 'linux/amd64 windows/amd64', 'working-directory': dir },
      offline,
    );
    expect(run.manifest.artifacts.map((a) => a.status)).toEqual(['ok', 'ok']);
    const warnings = run.log.lines.filter((l) => l.level === 'warning').map((l) => l.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^go\.mod says 'toolchain go1\.27\.0', newer than go1\.26\.\d+, which builds it: its 'go 1\.25\.0' line allows go1\.26\.\d+, .*install Go 1\.27\.0 or newer before this step \(actions\/setup-go with 'go-version-file: go\.mod' reads these lines\)\.$/,
    );
    expect(run.manifest.go.version).toMatch(GO126_VERSION);
    expect(await builtBy(path.join('/', run.manifest.artifacts[0]?.path ?? ''))).toBe(
      run.manifest.go.version,
    );
  });

  it('is no warning once GOTOOLCHAIN=auto in env lets Go switch to it', async () => {
    const dir = moduleWith(`go 1.25.0\n\ntoolchain ${GO127}`);
    const run = await build(
      go126,
      { targets: 'linux/amd64', 'working-directory': dir, env: 'GOTOOLCHAIN=auto' },
      toolchainFromMachine(tempDir('toolchain-auto')),
    );
    expect(run.log.lines.filter((l) => l.level === 'warning')).toEqual([]);
    expect(run.manifest.go.version).toBe(GO127);
    expect(await builtBy(path.join('/', run.manifest.artifacts[0]?.path ?? ''))).toBe(GO127);
  });
});

describe('a go line newer than the Go that builds', () => {
  it.each(['1.26', '1.27'] as const)(
    'stays an error naming both versions and the fix (Go %s)',
    async (release) => {
      const dir = moduleWith('go 1.28\n\ntoolchain go1.28.1');
      const version = (await execFileAsync(toolchain(release).go, ['env', 'GOVERSION'])).stdout.trim();
      await expect(
        build(toolchain(release), { targets: 'linux/amd64', 'working-directory': dir }, offline),
      ).rejects.toThrow(
        `Input 'working-directory': "${dir}" is not valid. go.mod asks for 'go 1.28' and 'toolchain go1.28.1' but the Go on PATH is ${version}, and with GOTOOLCHAIN=local no other Go is downloaded: install Go 1.28.1 or newer before this step (actions/setup-go with 'go-version-file: go.mod' reads these lines).`,
      );
    },
  );
});

describe('GOTOOLCHAIN in env', () => {
  it('is accepted by the env input', () => {
    for (const value of ['go1.27.3', 'auto', 'local', 'go1.27.3+auto']) {
      expect(parseOptions({ env: `GOTOOLCHAIN=${value}` }, '/').env).toEqual({ GOTOOLCHAIN: value });
    }
  });

  it('go1.27.3 with Go 1.26 on PATH builds with go1.27.3: binaries, manifest and cache key say so', async () => {
    const root = tempDir('gotoolchain');
    const dir = path.join(root, 'module');
    copyModule(EXAMPLE_MODULE, dir);
    const run = await build(
      go126,
      {
        targets: 'linux/amd64 linux/arm/7 windows/arm64',
        'working-directory': dir,
        env: `GOTOOLCHAIN=${GO127}`,
        'cache-key-prefix': 'gotoolchain',
        upload: 'false',
        'output-dir': path.join(root, 'dist'),
      },
      {
        ...jobEnv(service.env, root),
        GOCACHE: path.join(root, 'gocache'),
        ...toolchainFromMachine(root),
      },
    );
    expect(run.manifest.artifacts.map((a) => [a.target, a.status])).toEqual([
      ['linux/amd64', 'ok'],
      ['linux/arm/7', 'ok'],
      ['windows/arm64', 'ok'],
    ]);
    for (const a of run.manifest.artifacts) {
      expect(await builtBy(path.join('/', a.path ?? ''))).toBe(GO127);
      expect(a.verify?.buildinfo?.goVersion).toBe(GO127);
    }
    expect(run.manifest.go.version).toBe(GO127);
    expect(run.manifest.cache?.key).toMatch(new RegExp(`^gotoolchain-gocache-Linux-X64-${GO127}-`));
    expect(run.log.lines.filter((l) => l.level === 'warning')).toEqual([]);
  });

  it('that Go cannot start is an error on env, in Go words', async () => {
    const dir = moduleWith('go 1.21');
    const attempt = build(
      go126,
      { targets: 'linux/amd64', 'working-directory': dir, env: 'GOTOOLCHAIN=go1.99.0' },
      offline,
    );
    await expect(attempt).rejects.toThrow(InputError);
    await expect(attempt).rejects.toThrow(
      /^Input 'env': "GOTOOLCHAIN=go1\.99\.0" is not valid\. Go could not start the toolchain it selects \(.*go1\.99\.0.*\); use local, auto, path or a released version such as go1\.27\.3/,
    );
  });
});

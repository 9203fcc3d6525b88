// What the module asks for: dependencies downloaded once (or not at all when vendored or
// already cached), a `go` directive newer than the toolchain, and the source metadata that
// fills {version}, {commit} and {date} — read back from the running binaries.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build, copyModule, tempDir } from './support/engine.js';
import { moduleWithDependency } from './support/modules.js';
import { EXAMPLE_MODULE, goEnv, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
const tc = toolchain('1.23');

describe('module dependencies', () => {
  let app: { dir: string; proxy: string };
  let modcache: string;
  beforeAll(async () => {
    app = await moduleWithDependency(tc);
    modcache = tempDir('modcache');
  });

  it('are downloaded once, before the targets build', async () => {
    const run = await build(
      tc,
      { targets: 'linux/amd64 linux/arm64', 'working-directory': app.dir },
      { GOPROXY: app.proxy, GOSUMDB: 'off', GOMODCACHE: modcache },
    );
    expect(run.manifest.artifacts.map((a) => a.status)).toEqual(['ok', 'ok']);
    expect(run.log.lines.filter((l) => l.message.startsWith('Downloading module dependencies'))).toHaveLength(
      1,
    );
    const { stdout } = await execFileAsync(path.join('/', run.manifest.artifacts[0]?.path ?? ''));
    expect(stdout).toBe('hello from a dependency\n');
  });

  it('build with GOPROXY=off from a warm module cache', async () => {
    const run = await build(
      tc,
      { targets: 'linux/amd64', 'working-directory': app.dir },
      { GOPROXY: 'off', GOSUMDB: 'off', GOMODCACHE: modcache },
    );
    expect(run.manifest.artifacts[0]?.status).toBe('ok');
  });

  it("that cannot be downloaded stop the run with go's reason", async () => {
    await expect(
      build(
        tc,
        { targets: 'linux/amd64', 'working-directory': app.dir },
        { GOPROXY: 'off', GOMODCACHE: tempDir('empty') },
      ),
    ).rejects.toThrow(
      /^The module's dependencies could not be downloaded, so no target can build\. go mod download exited with status 1:\n.*example\.com\/greet@v1\.0\.0.*GOPROXY=off/s,
    );
  });

  describe('in vendor/', () => {
    let vendored: string;
    beforeAll(async () => {
      vendored = tempDir('vendored');
      copyModule(app.dir, vendored);
      await execFileAsync(tc.go, ['mod', 'vendor'], {
        cwd: vendored,
        env: goEnv(tc, { GOPROXY: app.proxy, GOSUMDB: 'off', GOMODCACHE: tempDir('vendor-modcache') }),
      });
    });

    it('are not downloaded, and build with GOPROXY=off on an empty module cache', async () => {
      const run = await build(
        tc,
        { targets: 'linux/amd64', 'working-directory': vendored },
        { GOPROXY: 'off', GOMODCACHE: tempDir('empty') },
      );
      expect(run.manifest.artifacts[0]?.status).toBe('ok');
      expect(run.log.lines).toContainEqual({
        level: 'debug',
        message: 'Dependencies are vendored: nothing to download.',
      });
    });

    // Then each build would download them itself, all at once.
    it.each([
      ['GOFLAGS=-mod=mod', { GOFLAGS: '-mod=mod' }, {}],
      ["flags '-mod=readonly'", {}, { flags: '-mod=readonly' }],
    ])(
      'are downloaded once before the targets build when %s makes go build ignore vendor/',
      async (_, env, inputs) => {
        const run = await build(
          tc,
          { targets: 'linux/amd64 linux/arm64', 'working-directory': vendored, ...inputs },
          { GOPROXY: app.proxy, GOSUMDB: 'off', GOMODCACHE: tempDir('modcache'), ...env },
        );
        expect(run.manifest.artifacts.map((a) => a.status)).toEqual(['ok', 'ok']);
        expect(
          run.log.lines.filter((l) => l.message.startsWith('Downloading module dependencies')),
        ).toHaveLength(1);
      },
    );

    it('are downloaded when go.mod predates vendoring by default (go 1.13)', async () => {
      const old = tempDir('go113');
      copyModule(vendored, old);
      writeFileSync(
        path.join(old, 'go.mod'),
        'module example.com/app\n\ngo 1.13\n\nrequire example.com/greet v1.0.0\n',
      );
      const run = await build(
        tc,
        { targets: 'linux/amd64', 'working-directory': old },
        { GOPROXY: app.proxy, GOSUMDB: 'off', GOMODCACHE: tempDir('modcache') },
      );
      expect(run.manifest.artifacts[0]?.status).toBe('ok');
      expect(run.log.lines.some((l) => l.message.startsWith('Downloading module dependencies'))).toBe(true);
    });
  });

  it('are not downloaded when there are none', async () => {
    const run = await build(
      tc,
      { targets: 'linux/amd64', 'working-directory': EXAMPLE_MODULE },
      { GOPROXY: 'off' },
    );
    expect(run.log.lines.some((l) => l.message.startsWith('Downloading'))).toBe(false);
    expect(run.log.lines).toContainEqual({ level: 'debug', message: 'The module has no dependencies.' });
  });
});

describe('go.mod lines newer than the toolchain', () => {
  const module = (lines: string): string => {
    const dir = tempDir('newgo');
    copyModule(EXAMPLE_MODULE, dir);
    writeFileSync(path.join(dir, 'go.mod'), `module example.com/hello\n\n${lines}\n`);
    return dir;
  };
  const goLine = module('go 1.99');
  // GOPROXY=off: had anything tried to fetch a toolchain, it would fail loudly instead.
  const offline = { GOPROXY: 'off', GOTOOLCHAIN: 'auto' };

  it.each(['1.23', '1.26', '1.27'] as const)(
    'fail once, before any build, naming both versions and the fix (Go %s)',
    async (release) => {
      const version = (await execFileAsync(toolchain(release).go, ['env', 'GOVERSION'])).stdout.trim();
      // A newer toolchain line alone is a warning (toolchain-lines.test.ts).
      for (const [dir, asked] of [[goLine, "'go 1.99'"]] as const) {
        await expect(
          build(
            toolchain(release),
            { targets: 'linux/amd64 linux/arm64', 'working-directory': dir },
            offline,
          ),
        ).rejects.toThrow(
          `Input 'working-directory': "${dir}" is not valid. go.mod asks for ${asked} but the Go on PATH is ${version}, and with GOTOOLCHAIN=local no other Go is downloaded: install Go 1.99 or newer before this step (actions/setup-go with 'go-version-file: go.mod' reads these lines).`,
        );
      }
    },
  );

  it('are a warning with Go 1.19, which treats the go line as advisory and builds', async () => {
    const run = await build(
      toolchain('1.19'),
      { targets: 'linux/amd64', 'working-directory': goLine },
      offline,
    );
    const warnings = run.log.lines.filter((l) => l.level === 'warning').map((l) => l.message);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^go\.mod asks for 'go 1\.99' but the Go on PATH is go1\.19\.\d+, and with GOTOOLCHAIN=local no other Go is downloaded; go1\.19\.\d+ treats the go line as advisory and builds anyway\./,
      ),
    ]);
    expect(run.manifest.artifacts.map((a) => a.status)).toEqual(['ok']);
  });
});

describe('source metadata', () => {
  it('fills {version}, {commit} and {date} from the ref, and the binary carries them', async () => {
    const run = await build(
      tc,
      {
        targets: 'linux/amd64',
        'working-directory': EXAMPLE_MODULE,
        ldflags: '-s -w -X main.version={version} -X main.commit={commit} -X main.date={date}',
      },
      { GITHUB_REF: 'refs/tags/v2.0.0', GITHUB_SHA: 'f00dfeed', SOURCE_DATE_EPOCH: '1700000000' },
    );
    expect(run.manifest).toMatchObject({
      version: 'v2.0.0',
      commit: 'f00dfeed',
      date: '2023-11-14T22:13:20Z',
    });
    const { stdout } = await execFileAsync(path.join('/', run.manifest.artifacts[0]?.path ?? ''), [
      '-version',
    ]);
    expect(stdout).toBe('hello v2.0.0 (commit f00dfeed, built 2023-11-14T22:13:20Z) linux/amd64\n');
  });

  it('keeps a hostile version one literal value', async () => {
    const run = await build(tc, {
      targets: 'linux/amd64',
      'working-directory': EXAMPLE_MODULE,
      version: 'v1 $(touch /tmp/pwned) `id`',
      ldflags: '-X main.version={version}',
    });
    const { stdout } = await execFileAsync(path.join('/', run.manifest.artifacts[0]?.path ?? ''), [
      '-version',
    ]);
    expect(stdout).toMatch(/^hello v1 \$\(touch \/tmp\/pwned\) `id` \(commit none/);
  });

  it('falls back to git describe and the commit date outside a tag', async () => {
    const dir = tempDir('gitrepo');
    copyModule(EXAMPLE_MODULE, dir);
    const git = (...args: string[]) =>
      execFileAsync('git', args, {
        cwd: dir,
        env: {
          ...process.env,
          GIT_AUTHOR_DATE: '2024-02-03T04:05:06Z',
          GIT_COMMITTER_DATE: '2024-02-03T04:05:06Z',
        },
      });
    await git('init', '-q');
    await git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
    await git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'first');
    await git('tag', 'v0.3.0');
    const env = { GITHUB_REF: '', GITHUB_SHA: '', SOURCE_DATE_EPOCH: '' };
    const run = await build(
      tc,
      { targets: 'linux/amd64', 'working-directory': dir, 'output-dir': tempDir('gitout') },
      env,
    );
    const head = (await git('rev-parse', 'HEAD')).stdout.trim();
    expect(run.manifest).toMatchObject({ version: 'v0.3.0', commit: head, date: '2024-02-03T04:05:06Z' });
  });
});

// Faults from outside: Go missing, `go` killed mid-build, an output folder that takes no files,
// a full disk, a build that hangs. Each ends with an exact message, the other targets' results
// intact in the manifest, no partial file reported as ok, and the CLI's exit status.
// (The cache and artifact services down or hanging: __tests__/cache/faults.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { EXIT_FAILED, EXIT_USAGE } from '../src/cli/main.js';
import type { Manifest } from '../src/report/manifest.js';
import type { CliRun } from './support/cli.js';
import { cli as runCliIn } from './support/cli.js';
import { copyModule, tempDir } from './support/engine.js';
import { EXAMPLE_MODULE, goEnv, REPO_ROOT, toolchain } from './support/toolchains.js';

const tc = toolchain('1.23');
const mounts: string[] = [];

const cli = (args: string[], env: Record<string, string>): Promise<CliRun> => runCliIn(args, env, '/');

/** linux/amd64 and linux/arm64 of the example module, with `go` behind `wrapper` on PATH. */
const buildBehind = (wrapper: string, out: string, extraArgs: string[], env = goEnv(tc)): Promise<CliRun> =>
  cli(
    [
      'build',
      '--working-directory',
      module,
      '--targets',
      'linux/amd64 linux/arm64',
      '--output-dir',
      out,
      ...extraArgs,
    ],
    { ...env, PATH: `${wrapper}:${tc.binDir}:/usr/bin:/bin` },
  );

/** A `go` first on PATH that runs the real one, except for `go build` of the given GOARCH. */
function goWrapper(onBuild: string, goarch: string): string {
  const dir = tempDir('go-wrapper');
  writeFileSync(
    path.join(dir, 'go'),
    `#!/bin/sh
if [ "$1" = build ] && [ "$GOARCH" = ${goarch} ]; then
${onBuild}
fi
exec "${path.join(tc.binDir, 'go')}" "$@"
`,
  );
  chmodSync(path.join(dir, 'go'), 0o755);
  return dir;
}

function mount(options: string): string {
  const dir = tempDir('mount');
  // The suite runs as root (CI installs packages with apt): mounting a tmpfs is the honest way
  // to get a read-only or full file system, since root ignores permission bits.
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of mounts) execFileSync('umount', [dir]);
});

let module: string;
beforeAll(() => {
  module = tempDir('faults-module');
  copyModule(EXAMPLE_MODULE, module);
});

const readManifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;

describe('faults', () => {
  // A missing tool is a fault of the machine, not of the command line: EXIT_FAILED (1), not EXIT_USAGE (2).
  it('Go missing from PATH: one clear error, exit status 1 (not a usage error), nothing built', async () => {
    const out = tempDir('no-go');
    const r = await cli(['build', '--working-directory', module, '--output-dir', out], {
      ...goEnv(tc),
      // An empty folder: with a merged /usr, even /bin holds Debian's go.
      PATH: tempDir('empty-path'),
    });
    expect(r.code).toBe(EXIT_FAILED);
    expect(r.stderr).toContain(
      'error: Go was not found on PATH. Install it before this step (for example with actions/setup-go), or put the go command on PATH.\n',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(out)).toEqual([]);
  });

  it('go killed by SIGKILL mid-build: that target fails saying so, the other is intact', async () => {
    const out = tempDir('killed');
    // A cold GOCACHE: killed as soon as the first package's output lands there (Go writes a
    // `-d` file per output), the build is mid-way, with the rest of the packages and the link to go.
    const gocache = tempDir('killed-gocache');
    const wrapper = goWrapper(
      `"${path.join(tc.binDir, 'go')}" "$@" &
build=$!
until [ -n "$(find "${gocache}" -name '*-d' -print -quit)" ]; do
  kill -0 $build 2>/dev/null || { wait $build; exit $?; }
  sleep 0.05
done
kill -KILL $build
kill -KILL $$`,
      'amd64',
    );
    const r = await buildBehind(wrapper, out, ['--archive', 'none'], goEnv(tc, { GOCACHE: gocache }));
    expect(r.code).toBe(EXIT_FAILED);
    const [amd64, arm64] = readManifest(out).artifacts;
    expect(amd64).toMatchObject({
      target: 'linux/amd64',
      status: 'build-failed',
      path: null,
      sha256: null,
      error: 'go build was killed by SIGKILL',
    });
    expect(existsSync(path.join(out, 'hello-linux-amd64'))).toBe(false);
    expect(arm64).toMatchObject({ target: 'linux/arm64', status: 'ok' });
    const file = path.join('/', arm64?.path ?? '');
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(arm64?.sha256);
    expect(r.stdout).toMatch(
      /^linux\/amd64\s+-\s+–\s+[\d.]+ s(\s+-){4}\s+build-failed: go build was killed by SIGKILL$/m,
    );
  });

  it('a hanging build is stopped at build-timeout; the other target is intact', async () => {
    const out = tempDir('hang');
    // The same builds once without the hang, so that linux/arm64 below is a cache hit and its
    // time does not hang on how busy the rest of the suite keeps the cores.
    const warm = await buildBehind(tc.binDir, tempDir('hang-warm'), ['--archive', 'none']);
    expect(warm.code).toBe(0);
    const wrapper = goWrapper('exec sleep 600', 'amd64');
    const r = await buildBehind(wrapper, out, ['--build-timeout', '20s']);
    expect(r.code).toBe(EXIT_FAILED);
    const [amd64, arm64] = readManifest(out).artifacts;
    expect(amd64).toMatchObject({
      status: 'build-failed',
      path: null,
      error: 'go build did not finish within the build-timeout (20 s) and was stopped',
    });
    expect(arm64?.status).toBe('ok');
  });

  it('an output folder that takes no files fails before any build, naming output-dir', async () => {
    const readOnly = mount('ro,size=1m');
    const r = await cli(['build', '--working-directory', module, '--output-dir', readOnly], goEnv(tc));
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain(
      `error: Input 'output-dir': ${JSON.stringify(readOnly)} is not valid. Nothing can be written there: EROFS: read-only file system, open '${readOnly}/.go-build-matrix-probe-${process.pid}'.\n`,
    );
    expect(r.stderr).not.toContain('✓');
  });

  it('a full disk: the targets that fit are ok, the rest fail with the reason, no partial file is left', async () => {
    // 2 MiB: room for one 1.3 MiB binary and the manifest, not for a second binary.
    const full = mount('size=2m');
    // A previous run's manifest says linux/arm64 takes longest, so it starts first and is the one
    // that fits: the start order is learned, and this keeps the suite's GOCACHE history out of it.
    writeFileSync(
      path.join(full, 'manifest.json'),
      JSON.stringify({
        module: 'example.com/hello',
        artifacts: [
          { target: 'linux/amd64', package: '.', buildSeconds: 1 },
          { target: 'linux/arm64', package: '.', buildSeconds: 9 },
          { target: 'windows/amd64', package: '.', buildSeconds: 1 },
        ],
      }),
    );
    const r = await cli(
      [
        'build',
        '--working-directory',
        module,
        '--targets',
        'linux/amd64 linux/arm64 windows/amd64',
        '--output-dir',
        full,
        '--archive',
        'none',
        '--parallel',
        '1',
      ],
      goEnv(tc),
    );
    expect(r.code).toBe(EXIT_FAILED);
    const artifacts = readManifest(full).artifacts;
    expect(artifacts.map((a) => [a.target, a.status])).toEqual([
      ['linux/amd64', 'build-failed'],
      ['linux/arm64', 'ok'],
      ['windows/amd64', 'build-failed'],
    ]);
    const ok = artifacts.filter((a) => a.status === 'ok');
    const failed = artifacts.filter((a) => a.status !== 'ok');
    for (const f of failed) {
      expect(f.error).toMatch(/^go build exited with status 1: .*no space left on device/s);
      expect(f.path).toBeNull();
    }
    const file = path.basename(ok[0]?.path ?? '');
    expect(
      createHash('sha256')
        .update(readFileSync(path.join(full, file)))
        .digest('hex'),
    ).toBe(ok[0]?.sha256);
    expect(readdirSync(full).sort()).toEqual(
      ['attestation-subjects.sha256', 'checksums.txt', file, 'manifest.json', 'release-manifest.json'].sort(),
    );
    expect(readFileSync(path.join(full, 'checksums.txt'), 'utf8')).toBe(`${ok[0]?.sha256}  ${file}\n`);
  });
});

describe('an output-dir that cannot be created', () => {
  // The bundled CLI in a child process with a deadline: a hang (Node's recursive mkdir spins on
  // procfs) is a failure of this test, not of the whole suite.
  const runCli = (outputDir: string) =>
    spawnSync(
      process.execPath,
      [
        path.join(REPO_ROOT, 'dist', 'cli.js'),
        'build',
        '--working-directory',
        module,
        '--targets',
        'linux/amd64',
        '--output-dir',
        outputDir,
      ],
      {
        env: goEnv(tc),
        encoding: 'utf8',
        // Far more than a loaded machine needs to refuse the folder: only a hang reaches it.
        timeout: 180_000,
      },
    );

  it.each([
    ['procfs', '/proc/1/x', 'ENOENT'],
    ['procfs, two levels', '/proc/1/x/y', 'ENOENT'],
    ['a missing parent on a read-only file system', 'ro/missing/x', 'EROFS'],
    ['a file in the way', 'file/x', 'ENOTDIR'],
  ])('%s fails fast, as an error on output-dir', (_, where, code) => {
    let outputDir = where;
    if (where.startsWith('ro/')) outputDir = path.join(mount('ro,size=1m'), where.slice(3));
    if (where.startsWith('file/')) {
      const file = path.join(tempDir('file-in-the-way'), 'file');
      writeFileSync(file, '');
      outputDir = path.join(file, 'x');
    }
    const r = runCli(outputDir);
    expect([r.signal, r.status]).toEqual([null, EXIT_USAGE]);
    expect(r.stderr).toContain(
      `error: Input 'output-dir': ${JSON.stringify(outputDir)} is not valid. Nothing can be written there: ${code}`,
    );
  });
});

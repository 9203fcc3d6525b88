// The bundled CLI (dist/cli.js) as a shell user types it: list flags repeated, enum flags with a
// separate value, booleans bare and negated, on a module with two commands.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Manifest } from '../src/report/manifest.js';
import { tempDir } from './support/engine.js';
import { goVersionM } from './support/inspect.js';
import { goEnv, REPO_ROOT, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
// GOFIPS140 (one of the two `env` lines) needs Go 1.24.
const tc = toolchain('1.26');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args],
      { env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({ code: error ? (typeof code === 'number' ? code : -1) : 0, stdout, stderr });
      },
    );
  });
}

/** A module with two commands; `a` compiles only with both build tags and prints its -X values. */
function twoCommands(): string {
  const dir = tempDir('cli-flags');
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  write('go.mod', 'module example.com/two\n\ngo 1.19\n');
  write(
    'cmd/a/main.go',
    'package main\n\nimport "fmt"\n\nvar x, y string\n\nfunc main() { fmt.Println("a", x, y, tagX, tagY) }\n',
  );
  write('cmd/a/tx.go', '//go:build tx\n\npackage main\n\nconst tagX = "tx"\n');
  write('cmd/a/ty.go', '//go:build ty\n\npackage main\n\nconst tagY = "ty"\n');
  write('cmd/b/main.go', 'package main\n\nfunc main() { println("b") }\n');
  write('LICENSE', 'MIT\n');
  write('NOTICE', 'notice\n');
  return dir;
}

/** Outside Actions, on a branch: a release is asked for but skipped, as on a branch in Actions. */
function laptopEnv(): Record<string, string> {
  const unset = new Set(['GITHUB_REPOSITORY', 'GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_STEP_SUMMARY']);
  return Object.fromEntries(
    Object.entries(goEnv(tc, { GITHUB_REF: 'refs/heads/main' })).filter(([name]) => !unset.has(name)),
  );
}

describe('dist/cli.js build with repeated and enum flags', () => {
  let dir = '';
  let run: Run;
  let manifest: Manifest;
  const out = (file: string): string => path.join(dir, 'out', file);

  beforeAll(async () => {
    dir = twoCommands();
    run = await cli(
      [
        'build',
        '--working-directory',
        dir,
        '--output-dir',
        'out',
        '--package',
        './cmd/a',
        '--package',
        './cmd/b',
        '--targets',
        'linux/amd64',
        '--targets=windows/amd64',
        '--tags',
        'tx',
        '--tags',
        'ty',
        '--ldflags',
        '-X main.x=1',
        '--ldflags',
        '-s -X main.y=2',
        '--extra-files',
        'LICENSE',
        '--extra-files',
        'NOTICE',
        '--env',
        'GOEXPERIMENT=jsonv2',
        '--env',
        'GOFIPS140=latest',
        '--flags',
        '-a',
        '--flags',
        '-p 1',
        '--smoke-test',
        '--version',
        '--release',
        'draft',
        '--cache',
        'restore-only',
        '--make-latest',
        'legacy',
        '--fail-fast',
        '--no-summary',
        '--verbose',
        '--version',
        'v1.0.0',
      ],
      laptopEnv(),
    );
    manifest = JSON.parse(readFileSync(out('manifest.json'), 'utf8')) as Manifest;
  });

  it('builds every package on every target and lists them all', () => {
    expect([run.code, run.stderr]).toEqual([0, expect.any(String)]);
    expect(run.stdout).toContain('4/4 built, 0 failed');
    expect(
      manifest.artifacts.map((a) => [a.package, a.target, a.status, a.path && path.basename(a.path)]).sort(),
    ).toEqual([
      ['./cmd/a', 'linux/amd64', 'ok', 'a-linux-amd64'],
      ['./cmd/a', 'windows/amd64', 'ok', 'a-windows-amd64.exe'],
      ['./cmd/b', 'linux/amd64', 'ok', 'b-linux-amd64'],
      ['./cmd/b', 'windows/amd64', 'ok', 'b-windows-amd64.exe'],
    ]);
    for (const file of ['a-linux-amd64', 'a-windows-amd64.exe', 'b-linux-amd64', 'b-windows-amd64.exe'])
      expect([file, existsSync(out(file))]).toEqual([file, true]);
  });

  it('passes every tag, ldflags, flags and env value to go build', async () => {
    const info = await goVersionM(tc.go, out('a-linux-amd64'));
    expect(info.settings).toMatchObject({
      '-tags': 'tx,ty',
      GOEXPERIMENT: 'jsonv2',
      GOFIPS140: 'latest',
    });
    const smoke = manifest.artifacts.find(
      (a) => a.package === './cmd/a' && a.target === 'linux/amd64',
    )?.smoke;
    expect(smoke?.output).toEqual(['a 1 2 tx ty']);
    // `-p 1` reaches go build as one flag, in place of the engine's own -p budget.
    expect(run.stderr).toContain(
      `"-trimpath","-tags=tx,ty","-ldflags=-X main.x=1 -s -X main.y=2","-a","-p=1","./cmd/a"]`,
    );
    expect(run.stderr).toContain(
      'Building 4 binaries (2 package(s) for 2 target(s)), 2 at a time: linux/amd64 windows/amd64',
    );
    expect(run.stderr).not.toContain('go build -p=');
  });

  it('puts every extra file into the archives', async () => {
    const { stdout } = await execFileAsync('tar', ['-tzf', out('b-linux-amd64.tar.gz')]);
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['LICENSE', 'NOTICE', 'b']);
  });

  it('reads --release draft as the release mode: SBOMs are written, the release is skipped on a branch', () => {
    expect(existsSync(out('a-linux-amd64.cdx.json'))).toBe(true);
    expect(run.stderr).toContain('Release: skipped, refs/heads/main is not a tag');
  });
});

describe('dist/cli.js flags that take one value', () => {
  it.each([
    [['--name', 'x', '--name', 'y'], '--name was given 2 times ("x", "y"); it takes one value'],
    [['--fail-fast', '--no-fail-fast'], '--fail-fast was given 2 times'],
    [['--release', 'draft', '--release=true'], '--release was given 2 times ("draft", "true")'],
    [['--github-token', 'x'], '--github-token is not a flag: github-token is never a flag'],
    [['--mode', 'plan'], "--mode is not a flag: mode is the command: 'build' or 'plan'"],
  ])('build %j is a usage error naming the flag', async (args, message) => {
    const r = await cli(['build', ...args], laptopEnv());
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(message)]);
  });
});

// Package patterns (`./cmd/...`) through the bundled CLI: one binary per main package the
// pattern matches, named after its directory, as one `package` line would be.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Manifest } from '../src/report/manifest.js';
import { tempDir } from './support/engine.js';
import type { Program } from './support/thirdparty.js';
import { checkOut, SUITE_GOMODCACHE } from './support/thirdparty.js';
import type { Toolchain } from './support/toolchains.js';
import { goEnv, REPO_ROOT, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);

/** Four commands under cmd/: age, age-inspect, age-keygen, age-plugin-batchpass. */
const AGE: Program = { name: 'age', module: 'filippo.io/age', version: 'v1.3.2', package: './cmd/...' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function distCli(tc: Toolchain, args: string[], cwd: string): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args],
      { cwd, env: goEnv(tc, { GOMODCACHE: SUITE_GOMODCACHE }), maxBuffer: 64 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function manifestOf(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

function write(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

describe('package patterns', () => {
  it('./cmd/... of filippo.io/age builds one binary per command, named after its directory', async () => {
    // age's go.mod has `toolchain go1.27.0`: built with Go 1.27, as its author does.
    const tc = toolchain('1.27');
    const dir = await checkOut(tc, AGE);
    const out = path.join(dir, 'dist');
    const r = await distCli(
      tc,
      ['build', '--package', './cmd/...', '--targets', 'linux/amd64 windows/amd64', '--output-dir', out],
      dir,
    );
    expect(r.stderr).not.toContain('cannot write multiple packages');
    expect(r.code).toBe(0);
    const commands = ['age', 'age-inspect', 'age-keygen', 'age-plugin-batchpass'];
    const manifest = manifestOf(out);
    expect(manifest.artifacts.map((a) => `${a.package} ${a.name} ${a.target} ${a.status}`).sort()).toEqual(
      commands.flatMap((c) => [`./cmd/${c} ${c} linux/amd64 ok`, `./cmd/${c} ${c} windows/amd64 ok`]).sort(),
    );
    const files = readdirSync(out);
    for (const c of commands) {
      expect(files).toContain(`${c}-linux-amd64`);
      expect(files).toContain(`${c}-windows-amd64.exe`);
    }
    expect(r.stderr).toContain(
      'Packages (patterns expanded to their main packages): ./cmd/age ./cmd/age-inspect ./cmd/age-keygen ./cmd/age-plugin-batchpass',
    );
  });

  describe('a local module', () => {
    const tc = toolchain('1.26');
    const module = (): string => {
      const dir = path.join(tempDir('patterns'), 'tool');
      write(dir, 'go.mod', 'module example.com/tool\n\ngo 1.21\n');
      write(dir, 'cmd/serve/main.go', 'package main\n\nfunc main() {}\n');
      write(dir, 'cmd/winsvc/main.go', '//go:build windows\n\npackage main\n\nfunc main() {}\n');
      write(dir, 'cmd/shared/shared.go', 'package shared\n\nconst X = 1\n');
      write(dir, 'lib/lib.go', 'package lib\n\nconst Y = 2\n');
      return dir;
    };

    it('leaves library packages out with one info line, builds a GOOS-only command for that GOOS, and a line a pattern repeats once', async () => {
      const dir = module();
      const r = await distCli(
        tc,
        ['build', '--package', './cmd/serve\n./cmd/...', '--targets', 'linux/amd64 windows/amd64'],
        dir,
      );
      expect(r.code).toBe(0);
      const manifest = manifestOf(path.join(dir, 'dist'));
      expect(manifest.artifacts.map((a) => `${a.package} ${a.name} ${a.target}`)).toEqual([
        './cmd/serve serve linux/amd64',
        './cmd/serve serve windows/amd64',
        './cmd/winsvc winsvc windows/amd64',
      ]);
      expect(r.stderr).toContain(
        'Left out, not main packages (go build makes no executable of them): ./cmd/shared',
      );
      expect(r.stderr).toContain('./cmd/winsvc is a main package for windows/amd64 only (build constraints)');
    });

    it('plan mode expands the same way', async () => {
      const dir = module();
      const r = await distCli(tc, ['plan', '--package', './cmd/...', '--targets', 'linux/amd64'], dir);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('Packages (patterns expanded to their main packages): ./cmd/serve');
      expect(r.stderr).not.toContain('./cmd/winsvc');
    });

    it.each(['build', 'plan'])(
      '%s: a pattern with no main package is a usage error naming it and the fix',
      async (mode) => {
        const dir = module();
        const r = await distCli(tc, [mode, '--package', './lib/...', '--targets', 'linux/amd64'], dir);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(
          `Input 'package': "./lib/..." is not valid. It matches only packages that are not main (./lib)`,
        );
        expect(r.stderr).toContain(
          'name the directory of a main package (one with func main), e.g. ./cmd/app',
        );
        expect(readdirSync(dir)).not.toContain('dist');
      },
    );
  });
});

// reproducible: check — every target built a second time from another path, an empty GOCACHE,
// another TMPDIR, umask and time zone, and compared; a difference named by its cause.
import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ArtifactEntry } from '../src/report/manifest.js';
import { InputError } from '../src/options/errors.js';
import { parseOptions } from '../src/options/options.js';
import { renderSummary, renderTable } from '../src/report/summary.js';
import { cli } from './support/cli.js';
import { selfSigned } from './verify/signing.js';
import { build, tempDir } from './support/engine.js';
import { EXAMPLE_MODULE, REPO_ROOT, goEnv, toolchain } from './support/toolchains.js';

const CGO = path.join(REPO_ROOT, '__tests__', 'fixtures', 'verify', 'cgo');
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A git repository holding `files` (relative path → content) in one commit; `untracked` written after it. */
function repository(
  files: Record<string, string>,
  untracked: Record<string, string> = {},
  from: string | null = null,
): string {
  const dir = tempDir('repro-src');
  made.push(dir);
  if (from !== null) cpSync(from, dir, { recursive: true });
  const write = (all: Record<string, string>): void => {
    for (const [name, text] of Object.entries(all)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
  };
  write(files);
  const git = (...args: string[]): void => {
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: dir,
      stdio: 'ignore',
    });
  };
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'one');
  write(untracked);
  return dir;
}

function outputDir(): string {
  const dir = tempDir('repro-out');
  made.push(dir);
  return dir;
}

/** No reproduce temp dir outlives the stage. */
function leftovers(): string[] {
  return readdirSync(os.tmpdir()).filter((n) => n.startsWith('go-build-matrix-reproduce-'));
}

const MAIN_GO = (body: string, imports = ''): string =>
  `package main\n\n${imports}\nfunc main() {\n${body}\n}\n`;

describe.each(['1.26', '1.27'] as const)('Go %s', (release) => {
  const tc = toolchain(release);

  it('a real module reproduces byte for byte on every first-class target (and so does the universal binary)', async () => {
    const before = leftovers();
    const src = repository({}, {}, EXAMPLE_MODULE);
    const run = await build(tc, {
      targets: 'first-class',
      'working-directory': src,
      'output-dir': outputDir(),
      universal: 'true',
      reproducible: 'check',
    });
    const firstClass = JSON.parse(
      execFileSync(tc.go, ['tool', 'dist', 'list', '-json'], { encoding: 'utf8' }),
    ) as { GOOS: string; GOARCH: string; FirstClass?: boolean }[];
    const expected = firstClass.filter((d) => d.FirstClass).map((d) => `${d.GOOS}/${d.GOARCH}`);
    const byTarget = new Map(run.manifest.artifacts.map((a) => [`${a.goos}/${a.goarch}`, a]));
    for (const target of [...expected, 'darwin/universal']) {
      const a = byTarget.get(target) as ArtifactEntry;
      expect([target, a.status, a.reproducible]).toEqual([
        target,
        'ok',
        { same: true, sha256Again: a.sha256, cause: null },
      ]);
    }
    expect(run.manifest.reproduceSeconds).toBeGreaterThan(0);
    expect(renderTable(run.manifest).split('\n')[0]).toMatch(/SMOKE +REPRODUCED +STATUS/);
    expect(renderSummary(run.manifest)).toContain('| smoke | reproduced | status |');
    expect(leftovers()).toEqual(before);
  });
});

describe('the second build’s source', () => {
  const tc = toolchain('1.26');

  it('a module in a subdirectory of the repository, with a tracked file deleted on disk, reproduces', async () => {
    const src = repository({ 'README.md': 'repo\n', 'old.txt': 'deleted before the build\n' });
    cpSync(EXAMPLE_MODULE, path.join(src, 'tools', 'hello'), { recursive: true });
    execFileSync('git', ['add', 'tools'], { cwd: src });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'x'], {
      cwd: src,
    });
    rmSync(path.join(src, 'old.txt'));
    const run = await build(tc, {
      targets: 'linux/amd64',
      'working-directory': path.join(src, 'tools', 'hello'),
      'output-dir': outputDir(),
      reproducible: 'check',
    });
    const [a] = run.manifest.artifacts;
    expect(a?.reproducible).toEqual({ same: true, sha256Again: a?.sha256, cause: null });
  });

  it('a module outside any repository (output-dir inside it) is copied whole and reproduces', async () => {
    const src = tempDir('repro-plain');
    made.push(src);
    cpSync(EXAMPLE_MODULE, src, { recursive: true });
    const run = await build(tc, {
      targets: 'linux/amd64',
      'working-directory': src,
      'output-dir': path.join(src, 'dist'),
      reproducible: 'check',
    });
    const [a] = run.manifest.artifacts;
    expect(a?.reproducible).toEqual({ same: true, sha256Again: a?.sha256, cause: null });
  });
});

describe('a difference names its cause', () => {
  const tc = toolchain('1.26');

  it('a build that stamps its own time: C __DATE__ and __TIME__ in a cgo package', async () => {
    const src = repository({
      'go.mod': 'module example.com/stamped\n\ngo 1.22\n',
      'main.go': MAIN_GO(
        '\tprintln(C.GoString(C.built()))',
        '/*\nstatic const char *built(void) { return "built " __DATE__ " " __TIME__; }\n*/\nimport "C"\n',
      ),
    });
    const run = await build(tc, {
      targets: 'linux/amd64',
      'working-directory': src,
      'output-dir': outputDir(),
      'cgo-enabled': '1',
      reproducible: 'check',
    });
    const [a] = run.manifest.artifacts;
    expect(a?.status).toBe('ok');
    expect(a?.reproducible?.same).toBe(false);
    expect(a?.reproducible?.sha256Again).toMatch(/^[0-9a-f]{64}$/);
    expect(a?.reproducible?.cause).toMatch(/^differs in .*\.rodata.*: embeds the time of its build \(/);
    expect(renderTable(run.manifest)).toMatch(/no: differs in .*embeds the time of its build/);
  });

  it('a build embedding a generated file that is not in the commit', async () => {
    const src = repository(
      {
        'go.mod': 'module example.com/generated\n\ngo 1.22\n',
        'main.go': MAIN_GO(
          '\tentries, _ := data.ReadDir("gen")\n\tprintln(len(entries))',
          'import "embed"\n\n//go:embed gen\nvar data embed.FS\n',
        ),
        'gen/README': 'go generate writes the data files here\n',
      },
      { 'gen/data.txt': 'generated before the build\n' },
    );
    const run = await build(tc, {
      targets: 'linux/amd64',
      'working-directory': src,
      'output-dir': outputDir(),
      reproducible: 'check',
    });
    const [a] = run.manifest.artifacts;
    expect(a?.status).toBe('ok');
    expect(a?.reproducible?.same).toBe(false);
    expect(a?.reproducible?.cause).toMatch(
      /^differs in .*: build info differs \(vcs\.modified "true" then "false".*it embeds gen\/data\.txt, which is not in the commit/,
    );
  });

  it('a file embedded alone that is not in the commit: the second build fails, a warning, the target stays ok', async () => {
    const src = repository(
      {
        'go.mod': 'module example.com/generated\n\ngo 1.22\n',
        'main.go': MAIN_GO('\tprintln(data)', 'import _ "embed"\n\n//go:embed data.txt\nvar data string\n'),
      },
      { 'data.txt': 'generated\n' },
    );
    const run = await build(tc, {
      targets: 'linux/amd64',
      'working-directory': src,
      'output-dir': outputDir(),
      reproducible: 'check',
    });
    const [a] = run.manifest.artifacts;
    expect(a?.status).toBe('ok');
    expect(a?.reproducible).toEqual({
      same: false,
      sha256Again: null,
      cause:
        'the commit alone does not build it: it embeds data.txt, which is not in the commit (generated or left in the checkout before the build)',
    });
    expect(run.log.lines).toContainEqual({
      level: 'warning',
      message: `reproducible linux/amd64 (.): ${a?.reproducible?.cause ?? ''}`,
    });
  });

  it('a signed windows binary is compared as go build wrote it, before signing', async () => {
    const dir = outputDir();
    const { key, cert } = await selfSigned(dir, '/CN=go-build-matrix reproduce test', 'codeSigning');
    const p12 = path.join(dir, 'cert.p12');
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-inkey',
      key,
      '-in',
      cert,
      '-out',
      p12,
      '-passout',
      'pass:pw',
    ]);
    const src = repository({}, {}, EXAMPLE_MODULE);
    const run = await build(tc, {
      targets: 'windows/amd64',
      'working-directory': src,
      'output-dir': outputDir(),
      'windows-certificate': readFileSync(p12).toString('base64'),
      'windows-certificate-password': 'pw',
      reproducible: 'check',
    });
    const [a] = run.manifest.artifacts;
    expect(a?.status).toBe('ok');
    expect(a?.signing?.unsignedSha256).not.toBe(a?.sha256);
    expect(a?.reproducible).toEqual({ same: true, sha256Again: a?.signing?.unsignedSha256, cause: null });
  });

  it('a go.work left out of the commit: the commit alone does not build it', async () => {
    const src = repository(
      {
        '.gitignore': 'go.work\ngo.work.sum\n',
        'app/go.mod': 'module example.com/app\n\ngo 1.22\n',
        'app/main.go': MAIN_GO('\tprintln(lib.Name)', 'import "example.com/lib"\n'),
        'lib/go.mod': 'module example.com/lib\n\ngo 1.22\n',
        'lib/lib.go': 'package lib\n\nconst Name = "lib"\n',
      },
      { 'go.work': 'go 1.22\n\nuse (\n\t./app\n\t./lib\n)\n' },
    );
    const run = await build(tc, {
      targets: 'linux/amd64',
      'working-directory': path.join(src, 'app'),
      'output-dir': outputDir(),
      reproducible: 'check',
    });
    const [a] = run.manifest.artifacts;
    expect(a?.status).toBe('ok');
    expect(a?.reproducible).toEqual({
      same: false,
      sha256Again: null,
      cause:
        'the commit alone does not build it: it is built from go.work, which is not in the commit (generated or left in the checkout before the build)',
    });
  });

  it('a cgo target built without -trimpath embeds its build directory', async () => {
    const src = repository({}, {}, CGO);
    const run = await build(tc, {
      targets: 'linux/amd64',
      'working-directory': src,
      'output-dir': outputDir(),
      'cgo-enabled': '1',
      trimpath: 'false',
      reproducible: 'check',
    });
    const [a] = run.manifest.artifacts;
    expect(a?.status).toBe('ok');
    expect(a?.reproducible?.cause).toMatch(
      new RegExp(`^differs in .*: embeds the build directory ${src} \\(built without -trimpath\\)`),
    );
  });

  it('with -trimpath the same cgo target reproduces', async () => {
    const src = repository({}, {}, CGO);
    const run = await build(tc, {
      targets: 'linux/amd64',
      'working-directory': src,
      'output-dir': outputDir(),
      'cgo-enabled': '1',
      reproducible: 'check',
    });
    expect(run.manifest.artifacts[0]?.reproducible?.same).toBe(true);
  });
});

describe('the input', () => {
  it("is 'off' by default and names the valid values when misspelt", () => {
    expect(parseOptions({}, '/').reproducible).toBe('off');
    expect(parseOptions({ reproducible: 'CHECK' }, '/').reproducible).toBe('check');
    expect(() => parseOptions({ reproducible: 'yes' }, '/')).toThrow(
      new InputError('reproducible', 'yes', "Valid values: 'check', 'off'."),
    );
  });

  it('--reproducible check on the CLI adds the REPRODUCED column; without it there is none', async () => {
    const src = repository({}, {}, EXAMPLE_MODULE);
    const env = goEnv(toolchain('1.26'));
    const args = ['build', '--targets', 'linux/amd64', '--output-dir', outputDir()];
    const checked = await cli([...args, '--reproducible', 'check'], env, src);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/SMOKE +REPRODUCED +STATUS\nlinux\/amd64 .* yes +ok\n/);
    const plain = await cli(args, env, src);
    expect(plain.stdout).not.toContain('REPRODUCED');
  });
});

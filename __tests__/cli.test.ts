// The command-line tool over the same engine: flags named like the inputs, a table, exit codes.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, readFlags } from '../src/cli/main.js';
import { FLAG_INPUTS } from '../src/cli/usage.js';
import { INPUTS } from '../src/options/inputs.js';
import type { Manifest } from '../src/report/manifest.js';
import type { CliRun } from './support/cli.js';
import { cli as runCliIn } from './support/cli.js';
import { copyModule, tempDir } from './support/engine.js';
import { EXAMPLE_MODULE, goEnv, REPO_ROOT, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
const tc = toolchain('1.23');

const cli = (args: string[]): Promise<CliRun> => runCliIn(args, goEnv(tc), REPO_ROOT);

describe('go-build-matrix CLI', () => {
  it('builds and prints a table; exit 0', async () => {
    const out = tempDir('cli');
    const r = await cli([
      'build',
      '--working-directory',
      EXAMPLE_MODULE,
      '--targets',
      'linux/amd64,windows/arm64',
      '--output-dir',
      out,
      '--version=v9',
    ]);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^TARGET\s+FILE\s+SIZE\s+TIME\s+VERIFY\s+LINKAGE\s+RUNS ON\s+SMOKE\s+STATUS$/m);
    expect(r.stdout).toMatch(
      /^linux\/amd64\s+\S+hello-linux-amd64\s+[\d.]+ MiB\s+[\d.]+ s\s+ok elf amd64\s+static\s+-\s+-\s+ok$/m,
    );
    // The header says Windows 7, but Go 1.21 and later run on Windows 10 and later only (go.dev/doc/go1.21#windows).
    expect(r.stdout).toMatch(/^windows\/arm64\s+\S+hello-windows-arm64\.exe\s+.*\s+Windows 10\+\s+-\s+ok$/m);
    expect(r.stdout).toContain('2/2 built, 0 failed (go1.23.5). 2/2 verified.');
    expect(r.stdout).toContain(`manifest: ${path.join(out, 'manifest.json')}`);
    expect(r.stderr).toContain('✓ linux/amd64 (.)');
  });

  it('exits 1 when a target failed, after building the rest', async () => {
    const r = await cli([
      'build',
      '--working-directory',
      path.join(REPO_ROOT, '__tests__', 'fixtures', 'broken'),
      '--targets',
      'windows/amd64 linux/amd64',
      '--output-dir',
      tempDir('cli'),
    ]);
    expect(r.code).toBe(EXIT_FAILED);
    expect(r.stdout).toMatch(/^windows\/amd64\s+-\s+.*build-failed: go build exited with status 1/m);
    expect(r.stdout).toMatch(/^linux\/amd64\s+.*ok$/m);
    expect(r.stderr).toMatch(/^error: __tests__\/fixtures\/broken\/broken_windows\.go:3:32: cannot use 42/m);
  });

  it('plan prints the matrix in chunks', async () => {
    const r = await cli([
      'plan',
      '--targets',
      'linux/amd64 linux/arm64 windows/amd64 darwin/arm64 linux/arm/7',
      '--chunks',
      '2',
    ]);
    expect(r.code).toBe(EXIT_OK);
    expect(JSON.parse(r.stdout)).toEqual({
      include: [
        { chunk: 1, targets: 'linux/amd64 linux/arm64 windows/amd64' },
        { chunk: 2, targets: 'darwin/arm64 linux/arm/7' },
      ],
    });
  });

  it.each([
    [
      ['build', '--targets', 'linux/amd46'],
      "Input 'targets': \"linux/amd46\" is not valid. 'linux/amd46' is not a target of go1.23.5; did you mean 'linux/amd64'?",
    ],
    [['build', '--no-such-flag', 'x'], "Unknown option '--no-such-flag'"],
    [['build', 'stray'], 'Unexpected argument'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['plan', '--chunks', '0'], 'Input \'chunks\': "0" is not valid. Use a whole number from 1 to 256.'],
    [['build', '--cgo-enabled', 'yes'], "Input 'cgo-enabled': \"yes\" is not valid. Valid values: '0', '1'."],
    [['build', '--env', 'GOARCH=arm'], 'GOARCH is pinned for every target'],
  ])('usage error %j exits 2', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain(message);
  });

  it('takes boolean flags bare and negated', async () => {
    const r = await cli(['plan', '--targets', 'linux/amd64', '--fail-fast', '--no-trimpath']);
    expect(r.code).toBe(EXIT_OK);
  });

  it('prints help naming every flag with its default, and how the CLI takes mode and the token', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(EXIT_OK);
    for (const input of INPUTS) {
      if (input.cli !== undefined) {
        expect(r.stdout).toContain(`  ${input.name.padEnd(20)} ${input.cli}`);
        // Not a flag: no `--name` word (`--macos-notary-key-id` is another input's flag).
        expect(r.stdout).not.toMatch(new RegExp(`--${input.name}(?![\\w-])`));
        continue;
      }
      const line = r.stdout.split('\n').find((l) => l.startsWith(`  --${input.name} `));
      expect([input.name, line]).toEqual([input.name, expect.stringContaining(input.description)]);
      if (input.default !== '') expect(line).toContain(`(default: ${input.default})`);
    }
    expect(r.stdout).toContain('GITHUB_TOKEN, else GH_TOKEN');
    // And no flag besides: every flag line names an input, --verbose or --help.
    const listed = r.stdout
      .split('\n')
      .flatMap((l) => /^ {2}(?:-h, )?--([a-z-]+) /.exec(l)?.[1] ?? [])
      .sort();
    const inputFlags = INPUTS.filter((i) => i.cli === undefined).map((i) => i.name);
    expect(listed).toEqual([...inputFlags, 'verbose', 'help'].sort());
    expect(inputFlags.length).toBeGreaterThan(40);
  });

  it.each(['build', 'plan', 'verify'])(
    '%s answers --help and -h, and help %s prints the same',
    async (command) => {
      const runs = await Promise.all([
        cli([command, '--help']),
        cli([command, '-h']),
        cli(['help', command]),
      ]);
      for (const r of runs) expect([r.code, r.stderr]).toEqual([EXIT_OK, '']);
      expect(runs[0]?.stdout).toMatch(new RegExp(`^Usage: go-build-matrix ${command} `));
      expect(runs[1]?.stdout).toBe(runs[0]?.stdout);
      expect(runs[2]?.stdout).toBe(runs[0]?.stdout);
    },
  );

  it('help of an unknown command is a usage error', async () => {
    const r = await cli(['help', 'deploy']);
    expect([r.code, r.stderr]).toEqual([
      EXIT_USAGE,
      'error: help takes one command: build, plan, verify (got deploy)\n',
    ]);
  });

  it('--release outside Actions names the variables to set, before building anything', async () => {
    const out = tempDir('cli-release');
    // goEnv passes on none of GITHUB_REF, GITHUB_REPOSITORY, GITHUB_TOKEN, GH_TOKEN, wherever the suite runs.
    const env = goEnv(tc);
    const r = await runCliIn(
      [
        'build',
        '--working-directory',
        EXAMPLE_MODULE,
        '--output-dir',
        out,
        '--targets',
        'linux/amd64',
        '--release',
      ],
      env,
      REPO_ROOT,
    );
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toBe(
      `error: Input 'release': "true" is not valid. Outside GitHub Actions a release takes what Actions sets from the environment; set GITHUB_REF=refs/tags/<tag> (the tag to release, e.g. refs/tags/v1.2.0), GITHUB_REPOSITORY=<owner>/<repo> (the repository holding the tag), GITHUB_TOKEN or GH_TOKEN (a token with 'contents: write', e.g. GH_TOKEN=$(gh auth token)), then run the same command again (or leave out --release to build only).\n`,
    );
    expect(existsSync(path.join(out, 'manifest.json'))).toBe(false);
  });

  it('--summary appends the job summary to GITHUB_STEP_SUMMARY in a workflow step; --no-summary does not', async () => {
    const dir = tempDir('cli-summary');
    const summary = path.join(dir, 'summary.md');
    const build = (flag: string): Promise<CliRun> =>
      runCliIn(
        [
          'build',
          '--working-directory',
          EXAMPLE_MODULE,
          '--output-dir',
          path.join(dir, 'out'),
          '--targets',
          'linux/amd64',
          flag,
        ],
        goEnv(tc, { GITHUB_STEP_SUMMARY: summary }),
        REPO_ROOT,
      );
    expect((await build('--no-summary')).code).toBe(EXIT_OK);
    expect(existsSync(summary)).toBe(false);
    expect((await build('--summary')).code).toBe(EXIT_OK);
    expect(readFileSync(summary, 'utf8')).toMatch(/^## go-build-matrix\n[^]*\*\*1\/1 built\*\*, 0 failed\./);
  });

  it('an extra-files line holding several names says entries go one per line, and shows the split', async () => {
    const dir = path.join(tempDir('cli-extra'), 'hello');
    copyModule(EXAMPLE_MODULE, dir);
    writeFileSync(path.join(dir, 'LICENSE'), 'MIT\n');
    writeFileSync(path.join(dir, 'README.md'), '# hello\n');
    const r = await cli([
      'build',
      '--working-directory',
      dir,
      '--targets',
      'linux/amd64',
      '--extra-files',
      'LICENSE README.md',
    ]);
    expect(r.stderr).toContain(
      `Input 'extra-files': "LICENSE README.md" is not valid. It matches no file under ${dir}. Entries go one glob per line, so this is one pattern with spaces in it; as 2 entries it is "LICENSE", "README.md", each on a line of its own (on the command line: --extra-files 'LICENSE' --extra-files 'README.md').`,
    );
  });

  it('the bundled dist/cli.js runs as the bin', async () => {
    const { stdout } = await execFileAsync(
      process.execPath,
      [path.join(REPO_ROOT, 'dist', 'cli.js'), 'plan', '--targets', 'first-class', '--exclude', 'windows/*'],
      {
        env: goEnv(tc),
      },
    );
    expect(JSON.parse(stdout).include[0].targets).toBe(
      'darwin/amd64 darwin/arm64 linux/386 linux/amd64 linux/arm linux/arm64',
    );
  });
});

describe('flag values', () => {
  // Choices that include 'true' take no value starting with '-': given so, they mean 'true' (below).
  const valueInputs = FLAG_INPUTS.filter((i) => !i.boolean && !i.bareTrue).map((i) => i.name);

  it.each(valueInputs)('--%s takes the next word, whatever it starts with, as --%s= does', (name) => {
    for (const value of ['-s -w', '--version', '-race', 'plain']) {
      const spaced = readFlags([`--${name}`, value, '--verbose']);
      const joined = readFlags([`--${name}=${value}`, '--verbose']);
      expect([name, spaced.inputs[name], spaced.verbose]).toEqual([name, value, true]);
      expect(joined).toEqual(spaced);
    }
  });

  it('keeps booleans as words of their own', () => {
    expect(readFlags(['--fail-fast', '--ldflags', '-s']).inputs).toEqual({
      'fail-fast': 'true',
      ldflags: '-s',
    });
    expect(readFlags(['--fail-fast', 'false']).inputs).toEqual({ 'fail-fast': 'false' });
    expect(readFlags(['--no-trimpath']).inputs).toEqual({ trimpath: 'false' });
  });

  it('adds the values of a repeated list flag, joined as the input splits them', () => {
    expect(
      readFlags([
        '--package',
        './cmd/a',
        '--package=./cmd/b',
        '--tags',
        'x',
        '--tags',
        'y',
        '--extra-files',
        'LICENSE',
        '--extra-files',
        'README.md',
        '--targets',
        'linux/amd64 # the server',
        '--targets',
        'windows/arm64',
      ]).inputs,
    ).toEqual({
      package: './cmd/a\n./cmd/b',
      tags: 'x y',
      'extra-files': 'LICENSE\nREADME.md',
      targets: 'linux/amd64 # the server\nwindows/arm64',
    });
    expect(FLAG_INPUTS.filter((i) => i.separator).map((i) => i.name)).toEqual([
      'targets',
      'exclude',
      'package',
      'cc',
      'ldflags',
      'tags',
      'flags',
      'env',
      'extra-files',
      'matrix-targets',
    ]);
  });

  it('takes the value of an enum flag whose values include true and false as the next word', () => {
    expect(
      readFlags([
        '--release',
        'draft',
        '--cache',
        'restore-only',
        '--make-latest',
        'legacy',
        '--prerelease',
        'false',
        '--fail-fast',
        '--no-verify',
        '--status',
        '--summary',
        'false',
      ]).inputs,
    ).toEqual({
      release: 'draft',
      cache: 'restore-only',
      'make-latest': 'legacy',
      prerelease: 'false',
      'fail-fast': 'true',
      verify: 'false',
      status: 'true',
      summary: 'false',
    });
  });

  it("reads a bare choice flag whose values include 'true' as 'true'", () => {
    expect(readFlags(['--release', '--verbose', '--cache']).inputs).toEqual({
      release: 'true',
      cache: 'true',
    });
    expect(readFlags(['--release', 'draft', '--ldflags', '-s']).inputs).toEqual({
      release: 'draft',
      ldflags: '-s',
    });
  });

  it('says which flag lacks its value', () => {
    expect(() => readFlags(['--ldflags'])).toThrow("Option '--ldflags <value>' argument missing");
  });

  it('runs a build whose flags start with a dash, as Go users type them', async () => {
    // A `go` first on PATH that writes the arguments `go build` was given, one a line, then runs the real one.
    const dir = tempDir('cli-dash');
    const wrapper = path.join(dir, 'bin');
    const argsFile = path.join(dir, 'go-build-args');
    mkdirSync(wrapper);
    writeFileSync(
      path.join(wrapper, 'go'),
      `#!/bin/sh\nif [ "$1" = build ]; then printf '%s\\n' "$@" > '${argsFile}'; fi\nexec '${path.join(tc.binDir, 'go')}' "$@"\n`,
    );
    chmodSync(path.join(wrapper, 'go'), 0o755);
    const out = path.join(dir, 'out');
    const r = await runCliIn(
      [
        'build',
        '--working-directory',
        EXAMPLE_MODULE,
        '--targets',
        'linux/amd64',
        '--output-dir',
        out,
        '--ldflags',
        '-s -w -X main.version={version}',
        '--version',
        'v1.0.0',
        '--smoke-test',
        '--version',
        '--flags',
        '-a',
      ],
      goEnv(tc, { PATH: `${wrapper}:${tc.binDir}:/usr/bin:/bin` }),
      REPO_ROOT,
    );
    expect([r.code, r.stderr]).toEqual([EXIT_OK, expect.any(String)]);
    expect(r.stdout).toContain('linux/amd64');
    // -a and the -X with {version} filled in reached go, each as an argument of its own.
    const args = readFileSync(argsFile, 'utf8').split('\n');
    expect(args).toContain('-a');
    expect(args).toContain('-ldflags=-s -w -X main.version=v1.0.0');
    // --version reached the binary as the smoke test's argument, and the binary has the version linked in.
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.artifacts[0]?.smoke).toMatchObject({ ran: true, exitCode: 0 });
    expect(manifest.artifacts[0]?.smoke?.output[0]).toMatch(/^hello v1\.0\.0 \(commit .*\) linux\/amd64$/);
  });

  it('verify takes --target the same way', async () => {
    const r = await cli(['verify', '--target', '-x', '/nonexistent']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain(`Input 'target': "-x"`);
  });
});

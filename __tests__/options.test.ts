import { describe, expect, it } from '@jest/globals';
import { InputError } from '../src/options/errors.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { INPUTS } from '../src/options/inputs.js';
import { GO_BUILD_VALUE_FLAGS, parseDuration, parseOptions } from '../src/options/options.js';
import { EXAMPLE_MODULE, goEnv, toolchains } from './support/toolchains.js';

const execFileAsync = promisify(execFile);

const parse = (inputs: Record<string, string>) =>
  parseOptions({ 'working-directory': EXAMPLE_MODULE, ...inputs }, '/');

describe('parseOptions', () => {
  it('fills every default of PRODUCT.md', () => {
    const o = parse({});
    expect(o).toMatchObject({
      mode: 'build',
      targets: 'first-class',
      exclude: '',
      packages: ['.'],
      workingDirectory: EXAMPLE_MODULE,
      name: null,
      cgoEnabled: '0',
      ldflags: '-s -w',
      version: null,
      tags: [],
      flags: [],
      trimpath: true,
      env: {},
      parallel: 'auto',
      failFast: false,
      buildTimeoutMs: 30 * 60_000,
      outputDir: `${EXAMPLE_MODULE}/dist`,
      nameTemplate: '{name}-{goos}-{goarch}{variant}{ext}',
      verify: true,
      linkage: 'static',
      maxGlibc: null,
      minMacos: null,
      minWindows: null,
      smokeTest: null,
      archive: 'auto',
      checksums: 'sha256',
      universal: false,
      cache: 'true',
      cacheKeyPrefix: 'go-build-matrix',
      upload: 'per-target',
      artifactName: null,
      retentionDays: null,
      chunks: 1,
      summary: true,
      badge: false,
      githubToken: '',
      status: false,
    });
  });

  it('derives linkage from cgo', () => {
    expect(parse({ 'cgo-enabled': '1' }).linkage).toBe('any');
    expect(parse({ 'cgo-enabled': '1', linkage: 'static' }).linkage).toBe('static');
  });

  it('reads lists, flags, env and cc', () => {
    const o = parse({
      package: './cmd/a\n\n./cmd/b\n',
      tags: 'netgo, osusergo  sqlite',
      flags: `-gcflags='all=-N -l' -v -mod=vendor`,
      env: 'GOEXPERIMENT=loopvar\nGOPRIVATE=example.com/*\n# comment',
      cc: 'linux/arm64=aarch64-linux-gnu-gcc\nlinux/arm = zig cc -target arm-linux-musleabihf',
      'fail-fast': 'TRUE',
      trimpath: 'False',
    });
    expect(o.packages).toEqual(['./cmd/a', './cmd/b']);
    expect(o.tags).toEqual(['netgo', 'osusergo', 'sqlite']);
    expect(o.flags).toEqual(['-gcflags=all=-N -l', '-v', '-mod=vendor']);
    expect(o.env).toEqual({ GOEXPERIMENT: 'loopvar', GOPRIVATE: 'example.com/*' });
    expect([...o.cc]).toEqual([
      ['linux/arm64', 'aarch64-linux-gnu-gcc'],
      ['linux/arm', 'zig cc -target arm-linux-musleabihf'],
    ]);
    expect(o.failFast).toBe(true);
    expect(o.trimpath).toBe(false);
  });

  it('reads the oldest macOS and Windows as typed', () => {
    expect(parse({ 'min-macos': ' 10.15 ', 'min-windows': '8.1' })).toMatchObject({
      minMacos: '10.15',
      minWindows: '8.1',
    });
    expect(parse({ 'min-macos': '13.0.1', 'min-windows': ' 11 ' })).toMatchObject({
      minMacos: '13.0.1',
      minWindows: '11',
    });
  });

  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
  ])('duration %s', (text, ms) => {
    expect(parseDuration('build-timeout', text)).toBe(ms);
  });

  it.each([
    ['mode', 'deploy', "Valid values: 'build', 'plan', 'collect'."],
    ['cgo-enabled', 'true', "Valid values: '0', '1'."],
    ['trimpath', 'yes', "Valid values: 'true', 'false'."],
    ['parallel', '0', 'Use a whole number from 1 to 256.'],
    ['parallel', '2.5', 'Use a whole number from 1 to 256.'],
    ['chunks', '-1', 'Use a whole number from 1 to 256.'],
    ['build-timeout', '30', "Use a duration such as '90s', '30m' or '1h30m'"],
    ['build-timeout', '10x', "Use a duration such as '90s'"],
    ['build-timeout', '0s', "Use a duration such as '90s'"],
    ['linkage', 'shared', "Valid values: 'static', 'dynamic', 'any'."],
    ['max-glibc', '2.x', "Use a glibc version such as '2.17'"],
    ['min-macos', 'Ventura', "Use a macOS version such as '12', '13.0' or '10.15'."],
    ['min-macos', '9.2', "Use a macOS version such as '12'"],
    ['min-macos', '12.', "Use a macOS version such as '12'"],
    ['min-windows', 'xp', "Valid values: '7', '8', '8.1', '10', '11'."],
    ['min-windows', '6.1', "Valid values: '7', '8', '8.1', '10', '11'."],
    ['archive', 'rar', "Valid values: 'auto', 'tar.gz', 'zip', 'none'."],
    ['cache', 'maybe', "Valid values: 'true', 'false', 'restore-only', 'always'."],
    ['upload', 'true', "Valid values: 'per-target', 'combined', 'false'."],
    ['checksums', 'md5', "Valid values: 'sha256', 'none'."],
    ['retention-days', '1000', 'Use a whole number from 1 to 400.'],
    ['cache-key-prefix', 'a b', "Use 1–64 letters, digits, '.', '_' or '-'."],
    ['name', '../evil', 'Use a plain file name'],
    ['name', 'a/b', 'Use a plain file name'],
    [
      'name-template',
      '{name}-{arch}',
      "'{arch}' is not a placeholder here; use {name}, {goos}, {goarch}, {variant}, {version}, {ext}.",
    ],
    ['name-template', '  ', 'It cannot be empty.'],
    [
      'ldflags',
      '-X main.v={tag}',
      "'{tag}' is not a placeholder here; use {version}, {commit}, {date}, {goos}, {goarch}.",
    ],
    [
      'ldflags',
      '-s -w -o /tmp/x',
      "'-o' cannot be used: the output path comes from 'output-dir' and 'name-template'.",
    ],
    [
      'ldflags',
      '-X main.v={version} --cpuprofile=/tmp/p',
      "'-cpuprofile' cannot be used: it writes a profile",
    ],
    ['ldflags', '-linkmode external -tmpdir=/tmp/t', "'-tmpdir' cannot be used"],
    ['ldflags', '-importcfg /tmp/cfg', "'-importcfg' cannot be used"],
    ['ldflags', "-X 'main.v=1", "Go cannot split it into linker arguments (unterminated ' quote)"],
    [
      'flags',
      '-o /tmp/x',
      "'-o' cannot be used: the output path comes from 'output-dir' and 'name-template'.",
    ],
    ['flags', '-toolexec=/bin/evil', "'-toolexec' cannot be used: it runs another program"],
    ['flags', '--exec=x', "'-exec' cannot be used"],
    ['flags', '-ldflags "-s', 'It cannot be split into words'],
    ['flags', '-v ./cmd/other', "'./cmd/other' is not a flag"],
    ['flags', '-o x', "'-o' cannot be used"],
    ['flags', '-C ../other', "'-C' cannot be used: it builds in another directory; set 'working-directory'"],
    ['flags', '-v -p', "'-p' needs a value, e.g. '-p 4' or '-p=4'."],
    ['env', 'GOOS=plan9', "GOOS is pinned for every target; choose it through 'targets'"],
    ['env', 'GOAMD64=v3', 'GOAMD64 is pinned for every target'],
    ['env', 'CGO_ENABLED=1', 'CGO_ENABLED is pinned'],
    ['env', 'NOEQUALS', 'Each line must be KEY=VALUE'],
    ['env', '1BAD=x', 'Each line must be KEY=VALUE'],
    ['cc', 'aarch64-linux-gnu-gcc', 'Each line must be GOOS/GOARCH=compiler'],
    ['package', '\n# nothing here\n', "Name at least one main package, e.g. '.' or './cmd/app'."],
    ['package', '-race', "A package cannot start with '-'"],
    ['working-directory', 'does/not/exist', 'is not an existing directory.'],
    ['smoke-test', '"--version', 'It cannot be split into words'],
  ])('%s=%j is an error', (input, value, message) => {
    let error: unknown;
    try {
      parse({ [input]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe(input);
    expect((error as InputError).message).toMatch(new RegExp(`^Input '${input}': ".*" is not valid\\. `));
    expect((error as InputError).message).toContain(message);
  });

  it("takes a go build flag's value as the next word, as Go does, and attaches it with '='", () => {
    const o = parse({ flags: `-p 1 -gcflags '-N -l' -mod vendor --tags=x -buildvcs=false -a -pgo off` });
    expect(o.flags).toEqual([
      '-p=1',
      '-gcflags=-N -l',
      '-mod=vendor',
      '--tags=x',
      '-buildvcs=false',
      '-a',
      '-pgo=off',
    ]);
  });

  it("lists exactly the flags 'go help build' shows with a value, of every supported Go", async () => {
    const shown = new Set<string>(['-o']); // described in prose: "The -o flag forces build to write …"
    for (const tc of toolchains()) {
      const { stdout } = await execFileAsync(tc.go, ['help', 'build'], { env: goEnv(tc) });
      for (const m of stdout.matchAll(/^\t(-[A-Za-z0-9-]+) \S/gm)) shown.add(m[1] as string);
    }
    expect([...shown].sort()).toEqual([...GO_BUILD_VALUE_FLAGS].sort());
  });

  it("marks as boolean exactly the inputs whose whole value set is 'true' and 'false'", () => {
    const booleanByValues = INPUTS.filter((i) => {
      try {
        parse({ [i.name]: 'maybe' });
        return false;
      } catch (err) {
        return (err as Error).message.endsWith("Valid values: 'true', 'false'.");
      }
    }).map((i) => i.name);
    expect(INPUTS.filter((i) => i.boolean).map((i) => i.name)).toEqual(booleanByValues);
    for (const input of INPUTS.filter((i) => i.bareTrue)) {
      expect(() => parse({ [input.name]: 'maybe' })).toThrow(/Valid values: ('[a-z-]+', ){2,}'[a-z-]+'\.$/);
      expect(() => parse({ [input.name]: 'true' })).not.toThrow();
    }
    expect(booleanByValues).not.toContain('release');
    expect(booleanByValues).toContain('status');
  });

  it('quotes hostile values escaped and capped', () => {
    expect(() => parse({ mode: 'x\n::error::pwned' })).toThrow(
      `Input 'mode': "x\\n::error::pwned" is not valid.`,
    );
    expect(() => parse({ mode: 'y'.repeat(5000) })).toThrow(/"y{200}…" is not valid/);
  });
});

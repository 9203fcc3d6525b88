import { describe, expect, it } from '@jest/globals';
import type { GoModule } from '../src/go/module.js';
import type { Toolchain } from '../src/go/toolchain.js';
import { InputError } from '../src/options/errors.js';
import { parseOptions } from '../src/options/options.js';
import { defaultName, planJobs } from '../src/compile/plan.js';
import type { ResolvedTarget } from '../src/targets/resolve.js';
import { joinGoQuoted, renderLdflags, splitGoQuoted } from '../src/compile/ldflags.js';
import { buildEnvironment } from '../src/compile/env.js';
import { chunkTargets } from '../src/prepare/plan.js';
import { runPool } from '../src/compile/pool.js';
import { parseDiagnostics, mergeDiagnostics } from '../src/compile/diagnostics.js';
import { directiveNewerThan } from '../src/go/module.js';
import { parseGoVersion } from '../src/go/toolchain.js';
import { EXAMPLE_MODULE } from './support/toolchains.js';

const module: GoModule = {
  path: 'example.com/app/v2',
  dir: EXAMPLE_MODULE,
  goDirective: '1.21',
  toolchainDirective: null,
  hasDependencies: false,
  vendored: false,
  workspace: null,
};
const toolchain = { version: 'go1.23.5' } as Toolchain;
const metadata = { version: 'v1.2.3', commit: 'abc123', date: '2026-01-02T03:04:05Z' };

function target(
  goos: string,
  goarch: string,
  variant: string | null,
  pinned: [string, string] | null,
): ResolvedTarget {
  return {
    goos,
    goarch,
    variant,
    firstClass: true,
    cgoSupported: true,
    id: variant === null ? `${goos}/${goarch}` : `${goos}/${goarch}/${variant}`,
    pinnedVariant: pinned ? { variable: pinned[0], value: pinned[1] } : null,
  };
}

const AMD64 = target('linux', 'amd64', null, ['GOAMD64', 'v1']);
const AMD64_V3 = target('linux', 'amd64', 'v3', ['GOAMD64', 'v3']);
const ARM = target('linux', 'arm', null, ['GOARM', '7,hardfloat']);
const ARM7 = target('linux', 'arm', '7', ['GOARM', '7']);
const WIN = target('windows', 'arm64', null, null);
const WASM = target('js', 'wasm', null, ['GOWASM', '']);

function plan(
  inputs: Record<string, string>,
  targets: ResolvedTarget[],
  baseEnv: Record<string, string> = {},
) {
  const options = parseOptions({ 'working-directory': EXAMPLE_MODULE, 'output-dir': '/out', ...inputs }, '/');
  return planJobs({ options, toolchain, module, metadata, targets, baseEnv });
}

describe('planJobs', () => {
  it('names files with the default template', () => {
    const { jobs } = plan({}, [AMD64, AMD64_V3, ARM, WIN, WASM]);
    expect(jobs.map((j) => j.output)).toEqual([
      '/out/app-linux-amd64-v1',
      '/out/app-linux-amd64-v3',
      '/out/app-linux-arm-v7',
      '/out/app-windows-arm64.exe',
      '/out/app-js-wasm.wasm',
    ]);
  });

  it('builds argv arrays with every value a single element', () => {
    const { jobs } = plan(
      {
        ldflags: "-s -w -X main.version={version} -X 'main.note=built for {goos}/{goarch}'",
        tags: 'a,b',
        flags: '-v',
      },
      [AMD64],
    );
    expect(jobs[0]?.argv).toEqual([
      'go',
      'build',
      '-o',
      '/out/app-linux-amd64',
      '-trimpath',
      '-tags=a,b',
      "-ldflags=-s -w -X main.version=v1.2.3 -X 'main.note=built for linux/amd64'",
      '-v',
      '.',
    ]);
  });

  it('pins the target environment over whatever the job exported', () => {
    const { jobs } = plan({ env: 'GOEXPERIMENT=loopvar' }, [AMD64, ARM7], {
      PATH: '/bin',
      GOOS: 'plan9',
      GOARCH: 'mips',
      GOAMD64: 'v4',
      GOARM: '5',
      GO386: 'sse2',
      GOMIPS: 'softfloat',
      CGO_ENABLED: '1',
      GOFLAGS: '-mod=mod',
      GOTOOLCHAIN: 'go1.99.0',
    });
    expect(jobs[0]?.env).toEqual({
      PATH: '/bin',
      GOFLAGS: '-mod=mod',
      GOEXPERIMENT: 'loopvar',
      GOOS: 'linux',
      GOARCH: 'amd64',
      GOAMD64: 'v1',
      CGO_ENABLED: '0',
      GOTOOLCHAIN: 'local',
    });
    expect(jobs[1]?.env).toMatchObject({ GOARCH: 'arm', GOARM: '7' });
    expect(jobs[1]?.env).not.toHaveProperty('GOAMD64');
    expect(jobs[1]?.env).not.toHaveProperty('GOMIPS');
  });

  it('merges targets that are one binary, keeping the named spelling', () => {
    const { jobs, merged } = plan({}, [ARM, ARM7]);
    expect(jobs.map((j) => j.target.id)).toEqual(['linux/arm/7']);
    expect(merged).toEqual([{ dropped: 'linux/arm', kept: 'linux/arm/7' }]);
  });

  it.each([
    [
      { 'name-template': '{name}' },
      [AMD64, WIN],
      'It gives linux/amd64 (.) and windows/arm64 (.) the same file app; add {variant}, {goos} or {goarch}',
    ],
    [{ 'name-template': '{name}-{goos}-{goarch}' }, [AMD64, AMD64_V3], 'the same file app-linux-amd64'],
    [
      { 'name-template': '../{name}-{goos}-{goarch}' },
      [AMD64],
      "For linux/amd64 it gives '../app-linux-amd64', which is not a file inside output-dir",
    ],
    [{ 'name-template': '/etc/{name}{goos}' }, [AMD64], 'which is not a file inside output-dir'],
    [
      { 'name-template': '{version}/../../x{goos}{goarch}{variant}' },
      [AMD64],
      'not a file inside output-dir',
    ],
    [
      { 'name-template': 'manifest.json' },
      [AMD64],
      "it gives 'manifest.json', a file the action writes itself",
    ],
    [
      { package: './a\n./b', 'name-template': '{goos}-{goarch}' },
      [AMD64],
      'It gives linux/amd64 (./a) and linux/amd64 (./b) the same file linux-amd64; add {name} so every package gets its own name.',
    ],
  ])('template errors: %j', (inputs, targets, message) => {
    expect(() => plan(inputs, targets)).toThrow(InputError);
    expect(() => plan(inputs, targets)).toThrow(message);
  });

  it('refuses a name for several packages on name, saying what to do instead', () => {
    expect(() => plan({ package: './a\n./b', name: 'same' }, [AMD64])).toThrow(
      `Input 'name': "same" is not valid. It names the binary of one package, and 2 packages are built (./a, ./b), so every one would get that name. Leave 'name' out to name each binary after its package's directory, or build one package with it.`,
    );
  });

  it.each([
    ['./..', "'..' is not a file name"],
    [`./cmd/${'x'.repeat(201)}`, '201 bytes is longer than the 200 a file name can take here'],
  ])('a package whose last element cannot name a file is an error on package: %s', (pkg, reason) => {
    const error = (() => {
      try {
        plan({ package: pkg }, [AMD64]);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('package');
    expect((error as InputError).message).toContain(reason);
    expect((error as InputError).message).toContain("set 'name' to a plain file name");
    expect(() => plan({ package: pkg, name: 'app' }, [AMD64])).not.toThrow();
  });

  it('checks the linker flags again once placeholders are filled in', () => {
    const options = parseOptions(
      { 'working-directory': EXAMPLE_MODULE, 'output-dir': '/out', ldflags: '-s {version}' },
      '/',
    );
    const plan = (version: string) => () =>
      planJobs({
        options,
        toolchain,
        module,
        metadata: { ...metadata, version },
        targets: [AMD64],
        baseEnv: {},
      });
    expect(plan('-o=/tmp/x')).toThrow(
      /^Input 'ldflags': .* '-o' cannot be used: the output path comes from 'output-dir' and 'name-template'\.$/,
    );
    expect(plan('-w')).not.toThrow();
  });

  it('refuses an output path longer than the file system takes, though each element is short', () => {
    const template = Array.from({ length: 400 }, () => 'linux/amd64').join(' ');
    expect(() => plan({ 'name-template': template }, [AMD64])).toThrow(
      /^Input 'name-template': .* it gives a path of 4\d{3} bytes; Linux allows 4096, .* at most 4000\.$/,
    );
    expect(() => plan({ 'name-template': `{name}/${'d/'.repeat(1000)}{goos}` }, [AMD64])).not.toThrow();
  });

  it('allows sub-folders inside output-dir', () => {
    expect(plan({ 'name-template': '{goos}_{goarch}/{name}{ext}' }, [WIN]).jobs[0]?.output).toBe(
      '/out/windows_arm64/app.exe',
    );
  });

  it('marks externally linked targets unbuildable unless a C compiler is configured', () => {
    const android = target('android', 'arm', null, ['GOARM', '7']);
    expect(plan({}, [android]).jobs[0]?.cannotBuild).toMatch(/only with an external linker/);
    const withCc = plan({ cc: 'android/arm=/ndk/armv7a-linux-androideabi21-clang' }, [android]).jobs[0];
    expect(withCc?.cannotBuild).toBeNull();
    expect(withCc?.env.CC).toBe('/ndk/armv7a-linux-androideabi21-clang');
  });
});

describe('defaultName', () => {
  it.each([
    ['.', EXAMPLE_MODULE, 'app'],
    ['./cmd/server', EXAMPLE_MODULE, 'server'],
    ['./cmd/server/', EXAMPLE_MODULE, 'server'],
    ['example.com/tool/v3', EXAMPLE_MODULE, 'tool'],
    ['./cmd/...', EXAMPLE_MODULE, 'cmd'],
    ['.', '/somewhere/sub', 'sub'],
  ])('%s in %s → %s', (pkg, dir, name) => {
    expect(defaultName(pkg, module, dir)).toBe(name);
  });
});

describe('ldflags quoting (Go cmd/internal/quoted)', () => {
  it.each([
    ['-s -w', ['-s', '-w']],
    ["-X 'main.a=b c' -X \"main.d=e'f\"", ['-X', 'main.a=b c', '-X', "main.d=e'f"]],
    ['  a\t\tb\n', ['a', 'b']],
  ])('splits %j', (text, fields) => {
    expect(splitGoQuoted(text)).toEqual(fields);
    expect(splitGoQuoted(joinGoQuoted(fields))).toEqual(fields);
  });

  it('keeps hostile values one literal field', () => {
    const rendered = renderLdflags('-X main.version={version}', { version: 'v1 $(touch pwned) `id`' });
    expect(rendered).toBe("-X 'main.version=v1 $(touch pwned) `id`'");
    expect(splitGoQuoted(rendered)).toEqual(['-X', 'main.version=v1 $(touch pwned) `id`']);
    expect(renderLdflags('-X main.v={version}', { version: "it's" })).toBe("-X main.v=it's");
  });

  it('refuses what Go cannot be given', () => {
    expect(() => renderLdflags('-X main.v={version}', { version: `a 'b' "c"` })).toThrow(
      /cannot be passed to the linker/,
    );
    expect(() => splitGoQuoted("-X 'open")).toThrow(/unterminated/);
  });
});

describe('buildEnvironment', () => {
  it('sets CC only when a compiler is given', () => {
    const pinned = {
      GOOS: 'linux',
      GOARCH: 'arm64',
      CGO_ENABLED: '1' as const,
      variant: null,
      fips140: null,
    };
    expect(buildEnvironment({ CC: 'gcc' }, pinned, {}, null).CC).toBe('gcc');
    const cross = buildEnvironment(
      { CC: 'gcc', CXX: 'g++' },
      pinned,
      {},
      { cc: 'aarch64-linux-gnu-gcc', cxx: null },
    );
    expect(cross.CC).toBe('aarch64-linux-gnu-gcc');
    expect(cross).not.toHaveProperty('CXX');
  });
});

describe('chunkTargets', () => {
  it.each([
    [5, 2, [3, 2]],
    [5, 5, [1, 1, 1, 1, 1]],
    [3, 10, [1, 1, 1]],
    [12, 1, [12]],
    [7, 3, [3, 2, 2]],
  ])('%i targets in %i chunks', (n, chunks, sizes) => {
    const items = Array.from({ length: n }, (_, i) => i);
    const groups = chunkTargets(items, chunks);
    expect(groups.map((g) => g.length)).toEqual(sizes);
    expect(groups.flat()).toEqual(items);
  });
});

describe('runPool', () => {
  it('never runs more than the limit and keeps order', async () => {
    let running = 0;
    let peak = 0;
    const results = await runPool(
      [30, 10, 20, 5, 15],
      2,
      false,
      async (ms) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, ms));
        running--;
        return ms * 2;
      },
      () => false,
      () => -1,
    );
    expect(results).toEqual([60, 20, 40, 10, 30]);
    expect(peak).toBe(2);
  });

  it('with failFast starts nothing after a failure', async () => {
    const started: number[] = [];
    const results = await runPool(
      [1, 2, 3, 4],
      1,
      true,
      async (n) => {
        started.push(n);
        return n === 2 ? 'fail' : 'ok';
      },
      (r) => r === 'fail',
      () => 'skipped',
    );
    expect(started).toEqual([1, 2]);
    expect(results).toEqual(['ok', 'fail', 'skipped', 'skipped']);
  });

  it('a released slot starts the next task while the first goes on', async () => {
    const events: string[] = [];
    let finishFirst = (): void => undefined;
    const firstDone = new Promise<void>((resolve) => (finishFirst = resolve));
    const results = await runPool(
      ['first', 'second', 'third'],
      1,
      false,
      async (name, release) => {
        events.push(`start ${name}`);
        if (name === 'first') {
          release();
          release(); // twice is once
          await firstDone;
        }
        if (name === 'second') finishFirst();
        events.push(`end ${name}`);
        return name.toUpperCase();
      },
      () => false,
      () => 'skipped',
    );
    expect(results).toEqual(['FIRST', 'SECOND', 'THIRD']);
    // One slot: third waits for second (which held it), not for first (which gave it back).
    expect(events.indexOf('start second')).toBeLessThan(events.indexOf('end first'));
    expect(events.indexOf('end second')).toBeLessThan(events.indexOf('start third'));
  });

  it('a task that throws stops new starts, lets the running ones finish, and rethrows', async () => {
    const ended: number[] = [];
    const run = runPool(
      [1, 2, 3, 4],
      2,
      false,
      async (n) => {
        await new Promise((r) => setTimeout(r, n === 1 ? 5 : 30));
        if (n === 1) throw new Error('boom');
        ended.push(n);
        return n;
      },
      () => false,
      () => -1,
    );
    await expect(run).rejects.toThrow('boom');
    expect(ended).toEqual([2]);
  });
});

describe('diagnostics', () => {
  const output = [
    '# example.com/app',
    './main.go:10:2: undefined: foo',
    'internal/x/y.go:3: syntax error',
    '/elsewhere/z.go:1:1: outside the workspace',
    'note: module requires Go 1.99',
  ].join('\n');

  it('finds positions and makes them workspace-relative', () => {
    expect(parseDiagnostics(output, '/ws/app', '/ws')).toEqual([
      { file: 'app/main.go', line: 10, col: 2, message: 'undefined: foo' },
      { file: 'app/internal/x/y.go', line: 3, col: null, message: 'syntax error' },
      { file: '/elsewhere/z.go', line: 1, col: 1, message: 'outside the workspace' },
    ]);
  });

  it('merges one message from several targets', () => {
    const d = parseDiagnostics(output, '/ws/app', '/ws');
    const merged = mergeDiagnostics([
      { target: 'linux/amd64', diagnostics: d },
      { target: 'linux/arm64', diagnostics: d.slice(0, 1) },
    ]);
    expect(merged.map((m) => m.targets)).toEqual([
      ['linux/amd64', 'linux/arm64'],
      ['linux/amd64'],
      ['linux/amd64'],
    ]);
  });
});

describe('Go versions', () => {
  it.each([
    ['go version go1.23.5 linux/amd64', 'go1.23.5', [1, 23]],
    ['go version go1.19.8 linux/amd64', 'go1.19.8', [1, 19]],
    ['go version go1.24rc1 darwin/arm64', 'go1.24rc1', [1, 24]],
    ['go version go1.21 linux/amd64', 'go1.21', [1, 21]],
  ])('%s', (text, version, release) => {
    expect(parseGoVersion(text)).toEqual({ version, release });
  });

  it.each([
    ['1.22', 'go1.21.5', true],
    ['1.21', 'go1.21.5', false],
    ['1.21.6', 'go1.21.5', true],
    ['1.19', 'go1.23.5', false],
  ])('go.mod %s newer than %s: %s', (directive, version, newer) => {
    expect(directiveNewerThan(directive, version)).toBe(newer);
  });
});

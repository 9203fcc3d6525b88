// Real `go build` of the example module with Go 1.19, 1.23, 1.26 and 1.27: every first-class
// target plus variants (with feature suffixes where the toolchain takes them), each file checked by file(1) and `go version -m` for GOOS, GOARCH, the
// pinned variant and CGO_ENABLED.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from './support/engine.js';
import { describeFile, FILE_SAYS, goVersionM } from './support/inspect.js';
import type { Release } from './support/toolchains.js';
import { EXAMPLE_MODULE, RELEASES, toolchain } from './support/toolchains.js';

const BASE_TARGETS = [
  'darwin/amd64',
  'darwin/arm64',
  'linux/386',
  'linux/amd64',
  'linux/arm',
  'linux/arm64',
  'windows/386',
  'windows/amd64',
  'linux/arm/6',
  'linux/amd64/v3',
  'windows/arm64',
  'freebsd/386',
];
/** Variants spelled with features: GOARM's float ABI (Go 1.22+), GOARM64's lse/crypto (1.23+), rva23u64 (1.25+). */
const FEATURE_TARGETS: Record<Release, string[]> = {
  '1.19': [],
  '1.23': ['linux/arm/7+softfloat', 'linux/arm64/v8.2+crypto+lse'],
  '1.26': ['linux/arm/7+softfloat', 'linux/arm64/v8.2+crypto+lse', 'linux/riscv64/rva23u64'],
  '1.27': ['linux/arm/6+softfloat', 'linux/arm64/v9.0+crypto', 'linux/riscv64/rva23u64'],
};

/** What each toolchain pins when the target names no variant (Debian's builds differ from upstream). */
const DEFAULTS: Record<Release, Record<string, string>> = {
  '1.19': { GOARM: '5', GO386: 'softfloat', GOAMD64: 'v1' },
  '1.23': { GOARM: '7,hardfloat', GO386: 'softfloat', GOAMD64: 'v1', GOARM64: 'v8.0' },
  '1.26': { GOARM: '7', GO386: 'sse2', GOAMD64: 'v1', GOARM64: 'v8.0' },
  '1.27': { GOARM: '7', GO386: 'sse2', GOAMD64: 'v1', GOARM64: 'v8.0' },
};

/** The file name and the pinned value of each feature spelling. */
const FEATURE_FILES: Record<string, [string, Record<string, string>]> = {
  'linux/arm/7+softfloat': ['hello-linux-arm-v7-softfloat', { GOARM: '7,softfloat' }],
  'linux/arm/6+softfloat': ['hello-linux-arm-v6-softfloat', { GOARM: '6,softfloat' }],
  'linux/arm64/v8.2+crypto+lse': ['hello-linux-arm64-v8.2-crypto', { GOARM64: 'v8.2,crypto,lse' }],
  'linux/arm64/v9.0+crypto': ['hello-linux-arm64-v9.0-crypto', { GOARM64: 'v9.0,crypto' }],
  'linux/riscv64/rva23u64': ['hello-linux-riscv64-rva23u64', { GORISCV64: 'rva23u64' }],
};

describe.each(RELEASES)('Go %s builds the example module for the whole matrix', (release) => {
  const tc = toolchain(release);
  // One build of the matrix, made by whichever test of this release runs first: each test runs alone.
  let matrix: ReturnType<typeof build> | undefined;
  const built = (): ReturnType<typeof build> =>
    (matrix ??= build(tc, {
      targets: [...BASE_TARGETS, ...FEATURE_TARGETS[release]].join(' '),
      'working-directory': EXAMPLE_MODULE,
      version: 'v1.2.3',
    }));

  it('builds every target', async () => {
    const run = await built();
    const { manifest } = run;
    expect(manifest.artifacts.map((a) => [a.target, a.status, a.error])).toEqual(
      [...BASE_TARGETS, ...FEATURE_TARGETS[release]].map((t) => [t, 'ok', null]),
    );
    expect(JSON.parse(readFileSync(run.manifestPath, 'utf8'))).toEqual(manifest);
    expect(manifest.go.version).toMatch(new RegExp(`^go${release.replace('.', '\\.')}\\.`));
    expect(manifest.module).toBe('example.com/hello');
    expect(manifest.version).toBe('v1.2.3');
  });

  it('names files by target, with the variant where it decides which CPUs run it', async () => {
    const { manifest } = await built();
    const names = Object.fromEntries(manifest.artifacts.map((a) => [a.target, path.basename(a.path ?? '')]));
    const defaultArm = DEFAULTS[release].GOARM?.split(',')[0];
    expect(names).toMatchObject({
      // Two GOAMD64 levels in one matrix: both names say which.
      'linux/amd64': 'hello-linux-amd64-v1',
      'linux/amd64/v3': 'hello-linux-amd64-v3',
      'linux/arm': `hello-linux-arm-v${defaultArm}`,
      'linux/arm/6': 'hello-linux-arm-v6',
      'windows/amd64': 'hello-windows-amd64.exe',
      'windows/arm64': 'hello-windows-arm64.exe',
      'freebsd/386': 'hello-freebsd-386',
      // A second arm64 meaning in the matrix names the default's level too.
      'linux/arm64': release === '1.19' ? 'hello-linux-arm64' : 'hello-linux-arm64-v8.0',
    });
    for (const t of FEATURE_TARGETS[release]) expect([t, names[t]]).toEqual([t, FEATURE_FILES[t]?.[0]]);
  });

  it('records exactly the pinned environment, defaults included', async () => {
    const { manifest } = await built();
    const env = Object.fromEntries(manifest.artifacts.map((a) => [a.target, a.env]));
    const d = DEFAULTS[release];
    expect(env['linux/amd64']).toEqual({
      GOOS: 'linux',
      GOARCH: 'amd64',
      GOAMD64: d.GOAMD64,
      CGO_ENABLED: '0',
    });
    expect(env['linux/amd64/v3']).toEqual({
      GOOS: 'linux',
      GOARCH: 'amd64',
      GOAMD64: 'v3',
      CGO_ENABLED: '0',
    });
    expect(env['linux/arm']).toEqual({ GOOS: 'linux', GOARCH: 'arm', GOARM: d.GOARM, CGO_ENABLED: '0' });
    expect(env['linux/arm/6']).toEqual({ GOOS: 'linux', GOARCH: 'arm', GOARM: '6', CGO_ENABLED: '0' });
    expect(env['linux/386']).toEqual({ GOOS: 'linux', GOARCH: '386', GO386: d.GO386, CGO_ENABLED: '0' });
    const arm64 = release === '1.19' ? {} : { GOARM64: 'v8.0' };
    expect(env['linux/arm64']).toEqual({ GOOS: 'linux', GOARCH: 'arm64', ...arm64, CGO_ENABLED: '0' });
    // A feature spelling is pinned as Go takes it: the level and features joined by ','.
    for (const t of FEATURE_TARGETS[release]) {
      expect([t, env[t]]).toEqual([t, expect.objectContaining(FEATURE_FILES[t]?.[1] ?? {})]);
    }
  });

  it('produced files that file(1) and `go version -m` agree are what the manifest says', async () => {
    const { manifest } = await built();
    for (const a of manifest.artifacts) {
      const file = path.join('/', a.path ?? '');
      const plain = `${a.goos}/${a.goarch}`;
      if (!(plain in FILE_SAYS)) throw new Error(`no file(1) expectation for ${plain}`);
      expect([a.target, await describeFile(file)]).toEqual([
        a.target,
        expect.stringMatching(FILE_SAYS[plain] as RegExp),
      ]);
      const info = await goVersionM(tc.go, file);
      expect(info.path).toBe('example.com/hello');
      // Build info records every pinned variable, with the pinned value.
      expect([a.target, info.settings]).toEqual([a.target, expect.objectContaining(a.env)]);
      expect(info.settings['-trimpath']).toBe('true');
      expect(a.size).toBeGreaterThan(500_000);
      expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('verified every file against its target', async () => {
    const { manifest } = await built();
    for (const a of manifest.artifacts) {
      expect([a.target, a.verify?.ok, a.verify?.problems]).toEqual([a.target, true, []]);
      expect(a.verify?.os).toBe(a.goos);
      expect(a.verify?.machine).toBe(a.goarch);
      expect(a.verify?.linkage).toBe(a.goos === 'darwin' ? 'dynamic' : 'static');
      expect(a.verify?.buildinfo?.settings).toMatchObject(a.env);
    }
  });

  it('wrote each file to the output directory', async () => {
    const { manifest, outputDir } = await built();
    for (const a of manifest.artifacts) expect(path.dirname(path.join('/', a.path ?? ''))).toBe(outputDir);
  });
});

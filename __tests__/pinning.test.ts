// Nothing the job exported reaches a build that did not ask for it.
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { build } from './support/engine.js';
import { goVersionM } from './support/inspect.js';
import { EXAMPLE_MODULE, toolchain } from './support/toolchains.js';

const LEAKED = { GOAMD64: 'v3', GOARM: '5', GOOS: 'plan9', CGO_ENABLED: '1', GO386: 'sse2', GOARCH: 'mips' };

describe.each(['1.19', '1.23'] as const)('Go %s: variables exported by the job', (release) => {
  const tc = toolchain(release);

  it('do not reach builds that did not ask for them', async () => {
    const run = await build(
      tc,
      {
        targets: 'linux/amd64 linux/arm linux/arm/7 linux/386 windows/amd64',
        'working-directory': EXAMPLE_MODULE,
      },
      LEAKED,
    );
    // Go 1.23 defaults to GOARM=7, so linux/arm and linux/arm/7 are one binary there.
    const expected =
      release === '1.19'
        ? ['linux/amd64', 'linux/arm', 'linux/arm/7', 'linux/386', 'windows/amd64']
        : ['linux/amd64', 'linux/arm/7', 'linux/386', 'windows/amd64'];
    expect(run.manifest.artifacts.map((a) => [a.target, a.status])).toEqual(expected.map((t) => [t, 'ok']));
    if (release === '1.23') {
      expect(run.log.lines).toContainEqual({
        level: 'info',
        message: expect.stringContaining('linux/arm builds the same binary as linux/arm/7'),
      });
    }
    const settings: Record<string, Record<string, string>> = Object.fromEntries(
      await Promise.all(
        run.manifest.artifacts.map(async (a) => [
          a.target,
          (await goVersionM(tc.go, path.join('/', a.path ?? ''))).settings,
        ]),
      ),
    );
    for (const [target, s] of Object.entries(settings)) {
      const [goos, goarch] = target.split('/');
      expect([target, s.GOOS, s.GOARCH, s.CGO_ENABLED]).toEqual([target, goos, goarch, '0']);
    }
    // The toolchain's own defaults, not the leaked values.
    expect(settings['linux/amd64']?.GOAMD64).toBe('v1');
    expect(settings['windows/amd64']?.GOAMD64).toBe('v1');
    if (release === '1.19') expect(settings['linux/arm']?.GOARM).toBe('5');
    expect(settings['linux/arm/7']?.GOARM).toBe('7');
    expect(settings['linux/386']?.GO386).toBe('softfloat');
  });

  it('are ignored when the toolchain reports its defaults', async () => {
    const planned = await build(
      tc,
      { targets: 'linux/amd64', 'working-directory': EXAMPLE_MODULE },
      { GOAMD64: 'v4' },
    );
    expect(planned.manifest.artifacts[0]?.env.GOAMD64).toBe('v1');
  });
});

// Variant builds (GOARM, GOAMD64, GO386, GOMIPS, GOMIPS64, GOPPC64) are accepted for their own value only.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { VerifyRequest } from '../../src/verify/index.js';
import { verifyFile } from '../../src/verify/index.js';
import { toolchains } from '../support/toolchains.js';
import type { Built, FixtureSpec } from './fixtures.js';
import { buildFixtures, targetName } from './fixtures.js';

interface Knob {
  goarch: string;
  name: string;
  values: string[];
}

function knobs(release: string): Knob[] {
  return [
    { goarch: 'arm', name: 'GOARM', values: ['5', '6', '7'] },
    { goarch: 'amd64', name: 'GOAMD64', values: ['v1', 'v2', 'v3', 'v4'] },
    { goarch: '386', name: 'GO386', values: ['sse2', 'softfloat'] },
    { goarch: 'mips', name: 'GOMIPS', values: ['hardfloat', 'softfloat'] },
    { goarch: 'mips64', name: 'GOMIPS64', values: ['hardfloat', 'softfloat'] },
    {
      goarch: 'ppc64le',
      name: 'GOPPC64',
      values: ['power8', 'power9', ...(release === '1.19' ? [] : ['power10'])],
    },
  ];
}

function request(goarch: string, name: string, value: string | null): VerifyRequest {
  return {
    goos: 'linux',
    goarch,
    variant: value === null ? null : { name, value },
    cgoEnabled: '0',
    linkage: 'static',
    maxGlibc: null,
  };
}

describe.each(toolchains())('Go $release, variants', (tc) => {
  let built = new Map<string, Built>();
  const specs: (FixtureSpec & { knob: Knob; value: string })[] = knobs(tc.release).flatMap((knob) =>
    knob.values.map((value) => ({
      name: targetName('linux', knob.goarch, value),
      goos: 'linux',
      goarch: knob.goarch,
      env: { [knob.name]: value },
      knob,
      value,
    })),
  );

  beforeAll(async () => {
    built = await buildFixtures(tc, specs);
  });

  it.each(specs.map((s) => [s.name, s] as const))(
    '%s: accepted for its own value, rejected for the others',
    async (_, s) => {
      const file = built.get(s.name)?.path;
      if (!file) throw new Error(`${s.name} failed to build: ${built.get(s.name)?.error}`);
      const own = await verifyFile(file, request(s.goarch, s.knob.name, s.value));
      expect(own.problems).toEqual([]);
      expect(own.buildinfo?.settings[s.knob.name]?.split(',')[0]).toBe(s.value);
      // A target naming no variant accepts whatever was recorded.
      expect((await verifyFile(file, request(s.goarch, s.knob.name, null))).ok).toBe(true);
      for (const other of s.knob.values.filter((v) => v !== s.value)) {
        const r = await verifyFile(file, request(s.goarch, s.knob.name, other));
        expect(r.ok).toBe(false);
        expect(r.problems).toContain(
          `build info says ${s.knob.name}=${own.buildinfo?.settings[s.knob.name]} but the target requires ${s.knob.name}=${other}`,
        );
      }
    },
  );

  it('cross-checks GOMIPS against the .MIPS.abiflags float ABI', async () => {
    const soft = built.get(targetName('linux', 'mips', 'softfloat'))?.path;
    if (!soft) throw new Error('linux/mips softfloat failed to build');
    const r = await verifyFile(soft, request('mips', 'GOMIPS', 'hardfloat'));
    expect(r.problems).toContain(
      'the ELF .MIPS.abiflags say softfloat (fp_abi 3) but the target requires GOMIPS=hardfloat',
    );
  });
});

// Variant builds of every toolchain (GOARM with float suffixes, GOAMD64, GO386, GOMIPS, GOMIPS64, GOPPC64,
// GOARM64 with lse/crypto, GORISCV64) are accepted for their own meaning only.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { VerifyRequest } from '../../src/verify/index.js';
import { verifyFile } from '../../src/verify/index.js';
import { toolchains } from '../support/toolchains.js';
import type { Built, FixtureSpec } from './fixtures.js';
import { buildFixtures, targetName } from './fixtures.js';

interface Knob {
  goos: string;
  goarch: string;
  name: string;
  values: string[];
}

const at = (release: string, since: number): boolean => Number(release.split('.')[1]) >= since;

/** Every level of each variable the release has, and the feature spellings Go 1.22+ (GOARM) and 1.23+ (GOARM64) take. */
function knobs(release: string): Knob[] {
  const arm64Levels = [
    ...Array.from({ length: 10 }, (_, i) => `v8.${i}`),
    ...Array.from({ length: 6 }, (_, i) => `v9.${i}`),
  ];
  return [
    {
      goos: 'linux',
      goarch: 'arm',
      name: 'GOARM',
      values: [
        '5',
        '6',
        '7',
        ...(at(release, 22) ? ['5,softfloat', '6,softfloat', '7,softfloat', '7,hardfloat'] : []),
      ],
    },
    { goos: 'linux', goarch: 'amd64', name: 'GOAMD64', values: ['v1', 'v2', 'v3', 'v4'] },
    { goos: 'linux', goarch: '386', name: 'GO386', values: ['sse2', 'softfloat'] },
    { goos: 'linux', goarch: 'mips', name: 'GOMIPS', values: ['hardfloat', 'softfloat'] },
    { goos: 'linux', goarch: 'mips64', name: 'GOMIPS64', values: ['hardfloat', 'softfloat'] },
    {
      goos: 'linux',
      goarch: 'ppc64le',
      name: 'GOPPC64',
      values: ['power8', 'power9', ...(release === '1.19' ? [] : ['power10'])],
    },
    ...(at(release, 23)
      ? [
          {
            goos: 'linux',
            goarch: 'arm64',
            name: 'GOARM64',
            // Every level with the newest Go; the ends and the LSE boundary with the others (each
            // GOARM64 value compiles the standard library anew, so this bounds the suite's time).
            values: [
              ...(release === '1.27' ? arm64Levels : ['v8.0', 'v8.1', 'v8.9', 'v9.0', 'v9.5']),
              'v8.0,lse',
              'v8.0,crypto',
              'v8.1,lse',
              'v8.2,crypto,lse',
              'v9.5,lse,crypto',
            ],
          },
          {
            goos: 'linux',
            goarch: 'riscv64',
            name: 'GORISCV64',
            values: ['rva20u64', 'rva22u64', ...(at(release, 25) ? ['rva23u64'] : [])],
          },
        ]
      : []),
  ];
}

/**
 * The values of knobs() that mean the same build, written from `go help environment`, not from
 * the code under test: GOARM takes ",softfloat (default for 5) and ,hardfloat (default for 6 and
 * 7)"; for GOARM64 "lse is enabled by default starting from v8.1" (and crypto by no level:
 * internal/buildcfg sets it only when named). Any other two values of one variable differ.
 */
const SAME_BUILD: Readonly<Record<string, readonly (readonly string[])[]>> = {
  GOARM: [
    ['5', '5,softfloat'],
    ['7', '7,hardfloat'],
  ],
  GOARM64: [['v8.1', 'v8.1,lse']],
};

const sameBuild = (variable: string, a: string, b: string): boolean =>
  a === b || (SAME_BUILD[variable] ?? []).some((group) => group.includes(a) && group.includes(b));

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
      name: targetName(knob.goos, knob.goarch, value.replaceAll(',', '+')),
      goos: knob.goos,
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
      // Build info records the value exactly as it was set.
      expect(own.buildinfo?.settings[s.knob.name]).toBe(s.value);
      // A target naming no variant accepts whatever was recorded.
      expect((await verifyFile(file, request(s.goarch, s.knob.name, null))).ok).toBe(true);
      for (const other of s.knob.values.filter((v) => v !== s.value)) {
        const r = await verifyFile(file, request(s.goarch, s.knob.name, other));
        // Another spelling of the same meaning (7 and 7,hardfloat; v8.1 and v8.1,lse) is the same binary.
        const same = sameBuild(s.knob.name, other, s.value);
        expect([other, r.ok]).toEqual([other, same]);
        if (!same) {
          expect(r.problems).toContain(
            `build info says ${s.knob.name}=${s.value} but the target requires ${s.knob.name}=${other}`,
          );
        }
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

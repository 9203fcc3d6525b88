// Every target of `go tool dist list` built with each toolchain: each file is accepted for its own target
// and rejected for every other target that shares its container format.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { formatFor } from '../../src/verify/arches.js';
import type { VerifyRequest, VerifyResult } from '../../src/verify/index.js';
import { verifyFile } from '../../src/verify/index.js';
import { goVersionM } from '../support/inspect.js';
import { toolchains } from '../support/toolchains.js';
import type { Built, DistTarget } from './fixtures.js';
import { buildFixtures, distList, targetName } from './fixtures.js';

/** From Go 1.20 these refuse to link internally without cgo instead of trying the host gcc. */
const NEEDS_EXTERNAL_LINKER = {
  'android/386': '"requires external (cgo) linking, but cgo is not enabled"',
  'android/amd64': '"requires external (cgo) linking, but cgo is not enabled"',
  'android/arm': '"requires external (cgo) linking, but cgo is not enabled"',
  'ios/amd64': '"default PIE binary requires external (cgo) linking, but cgo is not enabled"',
  'ios/arm64': '"requires external (cgo) linking, but cgo is not enabled"',
};

/** Targets `go build` cannot produce on this Linux host (no NDK, no Apple ld64), and why (HEADERS.md §1). */
const BUILD_FAILURES: Record<string, Record<string, string>> = {
  '1.19': {
    'android/386': 'android links externally; the host gcc cannot link it (no Scrt1.o, crti.o, -lgcc)',
    'android/arm': 'android links externally; the host gcc rejects -marm',
    'ios/amd64': 'the default PIE mode links externally; GNU ld rejects the Mach-O object',
    'ios/arm64': 'ios/arm64 links externally; GNU ld rejects the Mach-O object',
  },
  '1.23': NEEDS_EXTERNAL_LINKER,
  '1.26': NEEDS_EXTERNAL_LINKER,
  '1.27': NEEDS_EXTERNAL_LINKER,
};

/** Built, but not a genuine file of the target, so verification must reject it. */
const NOT_GENUINE: Record<string, Record<string, string>> = {
  '1.19': {
    'android/amd64': 'the host gcc links it: a glibc Linux binary (/lib64/ld-linux-x86-64.so.2), not Android',
  },
  '1.23': {},
  '1.26': {},
  '1.27': {},
};

/** Files the toolchain's own debug/buildinfo cannot read (so `go version -m` gives no second opinion). */
const WASM_UNREAD =
  'debug/buildinfo has no wasm reader (golang/go#73741); ours reads the blob from the data segment';
const PLAN9_UNREAD = "Go 1.19's debug/buildinfo has no Plan 9 a.out reader (1.23's has)";
/** Measured on the minimal fixture: `go version -m` of 1.26 and 1.27 answers "not a Go executable" for these files of their own. */
const PLAN9_NOT_GO =
  'its debug/buildinfo says "not a Go executable" for its own Plan 9 file; ours finds the blob in the data segment';
const GO_CANNOT_READ: Record<string, Record<string, string>> = {
  '1.19': {
    'js/wasm': WASM_UNREAD,
    'plan9/386': PLAN9_UNREAD,
    'plan9/amd64': PLAN9_UNREAD,
    'plan9/arm': PLAN9_UNREAD,
  },
  '1.23': { 'js/wasm': WASM_UNREAD, 'wasip1/wasm': WASM_UNREAD },
  '1.26': {
    'js/wasm': WASM_UNREAD,
    'wasip1/wasm': WASM_UNREAD,
    'plan9/386': PLAN9_NOT_GO,
    'plan9/amd64': PLAN9_NOT_GO,
    'plan9/arm': PLAN9_NOT_GO,
  },
  '1.27': {
    'js/wasm': WASM_UNREAD,
    'wasip1/wasm': WASM_UNREAD,
    'plan9/386': PLAN9_NOT_GO,
    'plan9/amd64': PLAN9_NOT_GO,
    'plan9/arm': PLAN9_NOT_GO,
  },
};

/** Cross-target pairs (file target → presented target) the verifier cannot tell apart. None: build info settles all. */
const INDISTINGUISHABLE: Record<string, string> = {};

function request(goos: string, goarch: string): VerifyRequest {
  return { goos, goarch, variant: null, cgoEnabled: '0', linkage: 'static', maxGlibc: null };
}

describe.each(toolchains())('Go $release, every target', (tc) => {
  let targets: DistTarget[] = [];
  let built = new Map<string, Built>();
  const verdicts = new Map<string, VerifyResult>();

  beforeAll(async () => {
    targets = await distList(tc);
    built = await buildFixtures(
      tc,
      targets.map((t) => ({ name: targetName(t.GOOS, t.GOARCH), goos: t.GOOS, goarch: t.GOARCH })),
    );
    for (const t of targets) {
      const b = built.get(targetName(t.GOOS, t.GOARCH));
      if (b?.path) verdicts.set(`${t.GOOS}/${t.GOARCH}`, await verifyFile(b.path, request(t.GOOS, t.GOARCH)));
    }
  });

  it('builds every target except the known failures', () => {
    const failed = targets
      .map((t) => `${t.GOOS}/${t.GOARCH}`)
      .filter((t) => built.get(t.replace('/', '-'))?.path === null);
    expect(failed.sort()).toEqual(Object.keys(BUILD_FAILURES[tc.release] ?? {}).sort());
  });

  it('accepts every genuine file for its own target', () => {
    const notGenuine = NOT_GENUINE[tc.release] ?? {};
    const wrong = [...verdicts]
      .filter(([t, r]) => r.ok === t in notGenuine)
      .map(([t, r]) => `${t}: ${r.problems.join('; ') || 'accepted'}`);
    expect(wrong).toEqual([]);
    for (const [t, r] of verdicts) {
      const [goos, goarch] = t.split('/');
      if (t in notGenuine) continue;
      expect(r.machine).toBe(goarch);
      expect(r.os?.split('|')).toContain(goos);
      expect(r.buildinfo?.goVersion).toMatch(new RegExp(`^go${tc.release.replace('.', '\\.')}`));
      expect(r.buildinfo?.settings.GOOS).toBe(goos);
    }
  });

  it("reads the same build info as the toolchain's own `go version -m`", async () => {
    const disagreements: string[] = [];
    const unreadable: string[] = [];
    for (const [t, r] of verdicts) {
      const file = built.get(t.replace('/', '-'))?.path;
      if (!file) continue;
      const theirs = await goVersionM(tc.go, file).catch(() => null);
      // Go 1.19 prints its "could not read" on exit 0, later ones exit 1.
      if (theirs === null || theirs.goVersion === '') {
        unreadable.push(t);
        continue;
      }
      const ours = r.buildinfo;
      const same =
        ours !== null &&
        ours.goVersion === theirs.goVersion &&
        ours.path === theirs.path &&
        JSON.stringify(ours.settings) === JSON.stringify(theirs.settings);
      if (!same)
        disagreements.push(
          `${t}: ours ${JSON.stringify(ours?.settings)} theirs ${JSON.stringify(theirs.settings)}`,
        );
    }
    expect(disagreements).toEqual([]);
    expect(unreadable.sort()).toEqual(Object.keys(GO_CANNOT_READ[tc.release] ?? {}).sort());
  });

  it('rejects every file for every other target of the same format', async () => {
    const accepted: string[] = [];
    for (const [own] of verdicts) {
      const file = built.get(own.replace('/', '-'))?.path;
      const [ownOs = '', ownArch = ''] = own.split('/');
      for (const other of targets) {
        const presented = `${other.GOOS}/${other.GOARCH}`;
        if (presented === own || formatFor(other.GOOS, other.GOARCH) !== formatFor(ownOs, ownArch) || !file)
          continue;
        const r = await verifyFile(file, request(other.GOOS, other.GOARCH));
        if (r.ok && !(`${own} → ${presented}` in INDISTINGUISHABLE)) accepted.push(`${own} → ${presented}`);
        expect(r.problems.length > 0).toBe(!r.ok);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('tells solaris from illumos by build info alone', async () => {
    for (const [own, other] of [
      ['solaris', 'illumos'],
      ['illumos', 'solaris'],
    ] as const) {
      const file = built.get(`${own}-amd64`)?.path;
      if (!file) throw new Error(`${own}/amd64 was not built`);
      expect(verdicts.get(`${own}/amd64`)?.os).toBe('solaris|illumos');
      const r = await verifyFile(file, request(other, 'amd64'));
      expect(r.problems).toEqual([`build info says GOOS=${own} but the target is ${other}/amd64`]);
    }
  });
});

// Code signatures: every Mach-O page hash is checked against the file, the kind of signature is in the
// verdict, and a darwin/arm64 file without a valid one fails (the kernel kills it at launch).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeUniversal } from '../../src/package/universal.js';
import type { VerifyRequest, VerifyResult } from '../../src/verify/index.js';
import { BufferSource, verifyFile, verifySource } from '../../src/verify/index.js';
import type { CliRun } from '../support/cli.js';
import { cli } from '../support/cli.js';
import { tempDir } from '../support/engine.js';
import { RELEASES, toolchain } from '../support/toolchains.js';
import { buildFixtures } from './fixtures.js';
import { readPe } from '../../src/verify/pe.js';
import {
  BIOME,
  ESBUILD,
  SENTRY,
  flipAndRehash,
  VSCE_SIGN,
  osslsigncodeDigests,
  signPe,
  npmBinary,
  removeSignature,
  sectionRange,
  signatureRange,
} from './signing.js';

const req = (goos: string, goarch: string): VerifyRequest => ({
  goos,
  goarch,
  variant: null,
  cgoEnabled: '0',
  linkage: 'static',
  maxGlibc: null,
});

const darwinArm64 = req('darwin', 'arm64');
const run = promisify(execFile);

async function built(release: (typeof RELEASES)[number], goos: string, goarch: string): Promise<Buffer> {
  const name = `${goos}-${goarch}`;
  const out = await buildFixtures(toolchain(release), [{ name, goos, goarch }]);
  const b = out.get(name);
  if (!b?.path) throw new Error(`${release} ${name} did not build: ${b?.error ?? '?'}`);
  return readFile(b.path);
}

/** A copy of `bytes` with the bits of `mask` flipped at `at`. */
function flipped(bytes: Buffer, at: number, mask = 0x01): Buffer {
  const out = Buffer.from(bytes);
  out[at] = (out[at] as number) ^ mask;
  return out;
}

const verify = (bytes: Buffer, r: VerifyRequest = darwinArm64): Promise<VerifyResult> =>
  verifySource(new BufferSource(bytes), r);

describe("Go's own darwin output", () => {
  it.each(RELEASES)('Go %s signs darwin/arm64 ad hoc, and every page matches', async (release) => {
    const bytes = await built(release, 'darwin', 'arm64');
    const r = await verify(bytes);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.signature).toMatchObject({ kind: 'adhoc', summary: 'adhoc', hash: 'sha256', team: null });
    // Go links to a temporary a.out and names the code after it.
    expect(r.signature?.identifier).toBe('a.out');
  });

  it.each(RELEASES)('Go %s leaves darwin/amd64 unsigned: `none`, and that passes', async (release) => {
    const r = await verify(await built(release, 'darwin', 'amd64'), req('darwin', 'amd64'));
    expect(r.signature).toMatchObject({ kind: 'none', summary: 'none' });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe('a changed or missing signature', () => {
  let arm64: Buffer;
  beforeAll(async () => {
    arm64 = await built('1.26', 'darwin', 'arm64');
  });

  it.each([0, 1, 4097, 'last'] as const)(
    'one flipped byte in __text (at %s) is caught, naming its page',
    async (where) => {
      const text = sectionRange(arm64, '__TEXT', '__text');
      const at = text.offset + (where === 'last' ? text.size - 1 : where);
      const bad = flipped(arm64, at, 0x01);
      const r = await verify(bad);
      const page = Math.floor(at / 4096);
      expect(r.ok).toBe(false);
      expect(r.signature).toMatchObject({ kind: 'invalid', summary: `invalid (page ${page} differs)` });
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toContain(`page ${page} (bytes ${page * 4096}–${page * 4096 + 4095})`);
      expect(r.problems[0]).toContain('macOS kills it at launch');
      expect(r.problems[0]).toContain('codesign --force --sign - FILE');
    },
  );

  it('a flipped byte in the last, partial page names that page', async () => {
    const sig = signatureRange(arm64);
    if (!sig) throw new Error('no signature');
    const bad = flipped(arm64, sig.offset - 1, 0x80);
    const r = await verify(bad);
    expect(r.signature?.summary).toBe(`invalid (page ${Math.floor((sig.offset - 1) / 4096)} differs)`);
  });

  it("llvm-strip re-signs what it strips: LLVM's ad hoc signature of the new layout verifies too", async () => {
    const dir = tempDir('llvm-strip');
    const input = path.join(dir, 'in');
    const output = path.join(dir, 'app-stripped');
    await writeFile(input, arm64);
    await run('llvm-strip', ['-o', output, input]);
    const stripped = await readFile(output);
    expect(stripped.length).toBeLessThan(arm64.length);
    const r = await verify(stripped);
    expect(r.signature).toMatchObject({ kind: 'adhoc', identifier: 'app-stripped' });
    expect(r.ok).toBe(true);
    // And its pages are checked like Go's: a flipped byte in its __text is caught.
    const text = sectionRange(stripped, '__TEXT', '__text');
    const broken = await verify(flipped(stripped, text.offset + 3));
    expect(broken.signature?.summary).toBe(`invalid (page ${Math.floor((text.offset + 3) / 4096)} differs)`);
  });

  it('a stripped signature is `none`, and fails darwin/arm64', async () => {
    const r = await verify(removeSignature(arm64));
    expect(r.signature).toMatchObject({ kind: 'none', summary: 'none' });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      expect.stringContaining('no code signature (LC_CODE_SIGNATURE): macOS kills it at launch'),
    ]);
    // The rest of the file still reads as the Go program it is.
    expect(r.buildinfo?.settings.GOARCH).toBe('arm64');
  });

  it('a zeroed signature is invalid, not `none`', async () => {
    const sig = signatureRange(arm64);
    if (!sig) throw new Error('no signature');
    const bad = Buffer.from(arm64);
    bad.fill(0, sig.offset, sig.offset + sig.size);
    const r = await verify(bad);
    expect(r.signature).toMatchObject({ kind: 'invalid', summary: 'invalid (no SuperBlob)' });
    expect(r.ok).toBe(false);
  });

  it('a changed page hash in the CodeDirectory is caught too', async () => {
    // The signature lies past the code limit, outside every page: its own hash slots are what it checks.
    const sig = signatureRange(arm64);
    if (!sig) throw new Error('no signature');
    const cd = arm64.indexOf(Buffer.from([0xfa, 0xde, 0x0c, 0x02]), sig.offset);
    const r = await verify(flipped(arm64, cd + arm64.readUInt32BE(cd + 16) + 3, 0xff));
    expect(r.signature?.summary).toBe('invalid (page 0 differs)');
  });
});

describe('universal binaries', () => {
  it("keep each slice's signature as the product writes them", async () => {
    const dir = await tempDir('universal-sig');
    const dest = path.join(dir, 'app-darwin-universal');
    await writeUniversal(dest, [
      { file: 'amd64', bytes: await built('1.27', 'darwin', 'amd64') },
      { file: 'arm64', bytes: await built('1.27', 'darwin', 'arm64') },
    ]);
    const r = await verifyFile(dest, req('darwin', 'universal'));
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.slices?.map((s) => [s.machine, s.signature?.summary])).toEqual([
      ['amd64', 'none'],
      ['arm64', 'adhoc'],
    ]);
    expect(r.signature?.summary).toBe('amd64 none, arm64 adhoc');
  });

  it('name the slice whose page changed', async () => {
    const dir = await tempDir('universal-sig-bad');
    const dest = path.join(dir, 'app-darwin-universal');
    const arm64 = await built('1.27', 'darwin', 'arm64');
    const { slices, bytes } = await writeUniversal(dest, [
      { file: 'amd64', bytes: await built('1.27', 'darwin', 'amd64') },
      { file: 'arm64', bytes: arm64 },
    ]);
    const slice = slices.find((s) => s.cputype === 0x0100000c);
    if (!slice) throw new Error('no arm64 slice');
    const text = sectionRange(arm64, '__TEXT', '__text');
    const bad = flipped(bytes, slice.offset + text.offset + 100, 0x10);
    const r = await verify(bad, req('darwin', 'arm64'));
    const page = Math.floor((text.offset + 100) / 4096);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      expect.stringMatching(new RegExp(`^arm64 slice: .*page ${page} .*macOS kills it at launch`)),
    ]);
    expect(r.signature?.summary).toBe(`amd64 none, arm64 invalid (page ${page} differs)`);
  });
});

describe('release binaries of other projects', () => {
  it.each([ESBUILD, BIOME, SENTRY])('$spec verifies as $signature', async (pkg) => {
    const r = await verifyFile(await npmBinary(pkg), darwinArm64);
    expect(r.signature?.reason).toBeNull();
    expect(r.signature?.kind).toBe(pkg.signature);
    for (const s of r.slices ?? []) expect(s.signature?.kind).toBe(pkg.signature);
    expect(r.problems.filter((p) => /signature/.test(p))).toEqual([]);
  });

  it('esbuild (a Go program) passes verification whole, with its signature checked', async () => {
    const r = await verifyFile(await npmBinary(ESBUILD), darwinArm64);
    expect(r.problems).toEqual([]);
    expect(r.signature).toMatchObject({ kind: 'adhoc', identifier: 'a.out', hash: 'sha256' });
  });

  it('a Developer ID signature no longer signs a CodeDirectory whose page hashes were recomputed', async () => {
    const bytes = await readFile(await npmBinary(SENTRY));
    const offset = bytes.readUInt32BE(8 + 20 + 8);
    const size = bytes.readUInt32BE(8 + 20 + 12);
    const arm64 = flipAndRehash(bytes.subarray(offset, offset + size), 0x5000);
    const r = await verify(arm64);
    expect(r.signature).toMatchObject({ kind: 'invalid', summary: 'invalid (content differs)' });
    expect(r.signature?.reason).toContain("the signer's messageDigest does not match the CodeDirectory");
    expect(r.ok).toBe(false);
    // An ad hoc signature has nothing over its CodeDirectory: re-hashed, it holds again (as it does for
    // the kernel), so ad hoc proves the bytes are as signed, not who signed them.
    const go = await built('1.26', 'darwin', 'arm64');
    const rehashed = await verify(flipAndRehash(go, sectionRange(go, '__TEXT', '__text').offset + 5));
    expect(rehashed.signature?.kind).toBe('adhoc');
  });

  it("Microsoft's signtool signature of vsce-sign.exe verifies, as osslsigncode agrees", async () => {
    const bytes = await readFile(await npmBinary(VSCE_SIGN));
    const r = await verify(bytes, req('windows', 'amd64'));
    expect(r.signature).toMatchObject({
      kind: 'authenticode',
      summary: 'authenticode (sha256 digest matches)',
    });
    const theirs = await osslsigncodeDigests(bytes);
    expect(theirs.current).toBe(theirs.calculated);
    const pe = await readPe(new BufferSource(bytes));
    const text = pe.loaded.find((x) => x.name === '.text section');
    if (!text) throw new Error('no .text');
    const broken = await verify(flipped(bytes, text.offset + 77), req('windows', 'amd64'));
    expect(broken.signature?.summary).toBe('invalid (Authenticode digest differs)');
    expect(broken.signature?.reason).toContain(theirs.current);
  });

  it('a Developer ID signature names its team, and a changed page breaks it', async () => {
    const bytes = await readFile(await npmBinary(SENTRY));
    const r = await verify(bytes);
    expect(r.signature?.summary).toBe('developer-id (team 97JCY7859U)');
    const arm64 = r.slices?.findIndex((s) => s.machine === 'arm64') ?? -1;
    // The arm64 slice is the second of two (lipo's cputype order): its offset is in the second fat_arch.
    expect(arm64).toBe(1);
    const offset = bytes.readUInt32BE(8 + 20 + 8);
    const bad = flipped(bytes, offset + 0x5000, 0x01);
    const broken = await verify(bad);
    expect(broken.slices?.[1]?.signature?.summary).toBe('invalid (page 5 differs)');
    expect(broken.slices?.[0]?.signature?.summary).toBe('developer-id (team 97JCY7859U)');
    expect(broken.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^arm64 slice: the code signature does not match .*macOS kills it at launch/),
      ]),
    );
  });
});

describe('PE', () => {
  it("Go's windows output carries no Authenticode signature: `none`, and that passes", async () => {
    const r = await verify(await built('1.26', 'windows', 'amd64'), req('windows', 'amd64'));
    expect(r.signature).toMatchObject({ kind: 'none', summary: 'none' });
    expect(r.ok).toBe(true);
  });

  const cases: ['1.26' | '1.27', string, 'sha256' | 'sha1' | 'sha512'][] = [
    ['1.26', 'amd64', 'sha256'],
    ['1.27', 'amd64', 'sha1'],
    ['1.27', 'arm64', 'sha512'],
  ];
  it.each(cases)(
    'Go %s windows/%s signed by osslsigncode (%s) verifies, as osslsigncode agrees',
    async (release, goarch, digest) => {
      const signed = await signPe(await built(release, 'windows', goarch), digest);
      const r = await verify(signed, req('windows', goarch));
      expect(r.problems).toEqual([]);
      expect(r.signature).toMatchObject({
        kind: 'authenticode',
        summary: `authenticode (${digest} digest matches)`,
        hash: digest,
      });
      const theirs = await osslsigncodeDigests(signed);
      expect(theirs.current).toBe(theirs.calculated);
    },
  );

  describe('a signed file changed afterwards', () => {
    let signed: Buffer;
    let text: { offset: number; size: number };
    let checksumAt: number;
    beforeAll(async () => {
      signed = await signPe(await built('1.27', 'windows', 'amd64'));
      const pe = await readPe(new BufferSource(signed));
      const t = pe.loaded.find((r) => r.name === '.text section');
      if (!t) throw new Error('no .text');
      text = t;
      checksumAt = pe.authenticode.checksumAt;
    });

    it('one flipped byte in .text makes the digest differ, for us and for osslsigncode', async () => {
      const bad = flipped(signed, text.offset + 1000);
      const r = await verify(bad, req('windows', 'amd64'));
      expect(r.ok).toBe(false);
      expect(r.signature).toMatchObject({
        kind: 'invalid',
        summary: 'invalid (Authenticode digest differs)',
      });
      expect(r.problems).toEqual([expect.stringContaining('the file changed after it was signed')]);
      const theirs = await osslsigncodeDigests(bad);
      expect(theirs.current).not.toBe(theirs.calculated);
      expect(r.signature?.reason).toContain(theirs.current);
      expect(r.signature?.reason).toContain(theirs.calculated);
    });

    it('a changed CheckSum field is outside the digest', async () => {
      const r = await verify(flipped(signed, checksumAt, 0xff), req('windows', 'amd64'));
      expect(r.signature?.kind).toBe('authenticode');
    });

    it('bytes appended after the signature are not signed', async () => {
      const r = await verify(Buffer.concat([signed, Buffer.alloc(8)]), req('windows', 'amd64'));
      expect(r.signature?.summary).toBe('invalid (not at the end)');
      expect(r.ok).toBe(false);
    });

    it("a changed signed digest no longer matches the signer's messageDigest", async () => {
      const pe = await readPe(new BufferSource(signed));
      const table = pe.authenticode.table;
      if (!table) throw new Error('no certificate table');
      // The image digest is the first 32-byte OCTET STRING of the SignedData: 04 20 <digest>.
      const at = signed.indexOf(Buffer.from([0x04, 0x20]), table.offset) + 2;
      const r = await verify(flipped(signed, at), req('windows', 'amd64'));
      expect(r.signature?.summary).toBe('invalid (content differs)');
    });
  });
});

describe('the verify command', () => {
  it('prints the signature, and exits 1 for a darwin/arm64 file without one', async () => {
    const dir = tempDir('verify-cli');
    const good = path.join(dir, 'app');
    const stripped = path.join(dir, 'app-unsigned');
    const arm64 = await built('1.27', 'darwin', 'arm64');
    await writeFile(good, arm64);
    await writeFile(stripped, removeSignature(arm64));
    const verifyCli = (file: string): Promise<CliRun> =>
      cli(['verify', '--target', 'darwin/arm64', file], { PATH: process.env.PATH ?? '' }, dir);
    const ok = await verifyCli(good);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, signature: { kind: 'adhoc', summary: 'adhoc' } });
    const bad = await verifyCli(stripped);
    expect(bad.code).toBe(1);
    const verdict = JSON.parse(bad.stdout) as VerifyResult;
    expect(verdict.signature).toMatchObject({ kind: 'none' });
    expect(verdict.problems).toEqual([expect.stringContaining('macOS kills it at launch')]);
  });
});

describe('formats without signatures', () => {
  it('have none to report', async () => {
    const r = await verify(await built('1.26', 'linux', 'amd64'), req('linux', 'amd64'));
    expect(r).toHaveProperty('signature', null);
  });
});

// The signature of each file, as the verifier found it, in the manifest, the job summary and the CLI table.
import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { renderSummary, renderTable } from '../../src/report/summary.js';
import type { VerifyRequest, VerifyResult } from '../../src/verify/index.js';
import { BufferSource, verifySource } from '../../src/verify/index.js';
import { build } from '../support/engine.js';
import { EXAMPLE_MODULE, toolchain } from '../support/toolchains.js';
import { buildFixtures } from '../verify/fixtures.js';
import { sectionRange } from '../verify/signing.js';
import { entry, manifest } from './fixtures.js';

const tc = toolchain('1.26');

const req = (goos: string, goarch: string): VerifyRequest => ({
  goos,
  goarch,
  variant: null,
  cgoEnabled: '0',
  linkage: 'any',
  maxGlibc: null,
});

async function verdicts(): Promise<Record<'arm64' | 'amd64' | 'broken' | 'linux', VerifyResult>> {
  const built = await buildFixtures(tc, [
    { name: 'darwin-arm64', goos: 'darwin', goarch: 'arm64' },
    { name: 'darwin-amd64', goos: 'darwin', goarch: 'amd64' },
    { name: 'linux-amd64', goos: 'linux', goarch: 'amd64' },
  ]);
  const bytes = (name: string): Promise<Buffer> => readFile(built.get(name)?.path ?? 'missing');
  const arm64 = await bytes('darwin-arm64');
  const broken = Buffer.from(arm64);
  const text = sectionRange(arm64, '__TEXT', '__text');
  broken[text.offset + 8192] = (broken[text.offset + 8192] as number) ^ 0x04;
  const v = (b: Buffer, goos: string, goarch: string): Promise<VerifyResult> =>
    verifySource(new BufferSource(b), req(goos, goarch));
  return {
    arm64: await v(arm64, 'darwin', 'arm64'),
    amd64: await v(await bytes('darwin-amd64'), 'darwin', 'amd64'),
    broken: await v(broken, 'darwin', 'arm64'),
    linux: await v(await bytes('linux-amd64'), 'linux', 'amd64'),
  };
}

describe('the signature in the summary and the table', () => {
  it('follows the machine in the verify cell, and only for formats that carry one', async () => {
    const v = await verdicts();
    const page = v.broken.signature?.summary.match(/page (\d+)/)?.[1];
    expect(page).toBeDefined();
    const m = manifest([
      entry('darwin/arm64', { verify: v.arm64 }),
      entry('darwin/amd64', { verify: v.amd64 }),
      entry('linux/amd64', { verify: v.linux }),
      entry('darwin/arm64', {
        verify: v.broken,
        status: 'verify-failed',
        error: v.broken.problems.join(' '),
      }),
    ]);
    const summary = renderSummary(m).split('\n');
    const rows = summary.filter((l) => l.startsWith('| `'));
    expect(rows[0]).toContain('| ✅ macho arm64, signature: adhoc |');
    expect(rows[1]).toContain('| ✅ macho amd64, signature: none |');
    expect(rows[2]).toContain('| ✅ elf amd64 |');
    expect(rows[3]).toContain(`| ❌ macho arm64, signature: invalid (page ${page} differs) |`);
    expect(rows[3]).toContain('macOS kills it at launch');

    const table = renderTable(m).split('\n');
    expect(table[1]).toMatch(/ ok macho arm64, signature: adhoc /);
    expect(table[2]).toMatch(/ ok macho amd64, signature: none /);
    expect(table[3]).toMatch(/ ok elf amd64 /);
    expect(table[4]).toMatch(
      new RegExp(` FAILED macho arm64, signature: invalid \\(page ${page} differs\\) `),
    );
  });
});

describe('the manifest', () => {
  it("records each target's signature, the universal binary's per slice", async () => {
    const run = await build(tc, {
      targets: 'darwin/amd64 darwin/arm64 windows/amd64',
      universal: 'true',
      'working-directory': EXAMPLE_MODULE,
    });
    const byTarget = Object.fromEntries(run.manifest.artifacts.map((a) => [a.target, a]));
    expect(byTarget['darwin/arm64']?.verify?.signature).toMatchObject({ kind: 'adhoc', hash: 'sha256' });
    expect(byTarget['darwin/amd64']?.verify?.signature).toMatchObject({ kind: 'none' });
    expect(byTarget['windows/amd64']?.verify?.signature).toMatchObject({ kind: 'none' });
    const universal = byTarget['darwin/universal'];
    expect(universal?.status).toBe('ok');
    expect(universal?.verify?.slices?.map((s) => [s.machine, s.signature?.kind])).toEqual([
      ['amd64', 'none'],
      ['arm64', 'adhoc'],
    ]);
    expect(renderSummary(run.manifest)).toContain('signature: amd64 none, arm64 adhoc');
  });
});

// Universal (fat) Mach-O: every slice is read and verified on its own.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import type { VerifyRequest } from '../../src/verify/index.js';
import { BufferSource, verifySource } from '../../src/verify/index.js';
import { toolchain } from '../support/toolchains.js';
import { buildFixtures } from './fixtures.js';

const req = (goarch: string): VerifyRequest => ({
  goos: 'darwin',
  goarch,
  variant: null,
  cgoEnabled: '0',
  linkage: 'static',
  maxGlibc: null,
});

interface Slice {
  cputype: number;
  cpusubtype: number;
  bytes: Buffer;
}

/** lipo's layout: a fat_arch (or fat_arch_64) table, then each slice aligned to 2^14. */
function universal(slices: Slice[], wide = false): Buffer {
  const align = 14;
  const entsize = wide ? 32 : 20;
  let at = 2 ** align;
  const placed = slices.map((s) => {
    const offset = at;
    at = Math.ceil((offset + s.bytes.length) / 2 ** align) * 2 ** align;
    return { ...s, offset };
  });
  const out = Buffer.alloc(at);
  out.writeUInt32BE(wide ? 0xcafebabf : 0xcafebabe, 0);
  out.writeUInt32BE(slices.length, 4);
  placed.forEach((s, i) => {
    const e = 8 + i * entsize;
    out.writeUInt32BE(s.cputype, e);
    out.writeUInt32BE(s.cpusubtype, e + 4);
    if (wide) {
      out.writeBigUInt64BE(BigInt(s.offset), e + 8);
      out.writeBigUInt64BE(BigInt(s.bytes.length), e + 16);
      out.writeUInt32BE(align, e + 24);
    } else {
      out.writeUInt32BE(s.offset, e + 8);
      out.writeUInt32BE(s.bytes.length, e + 12);
      out.writeUInt32BE(align, e + 16);
    }
    s.bytes.copy(out, s.offset);
  });
  return out;
}

describe('universal Mach-O', () => {
  let amd64: Slice;
  let arm64: Slice;

  beforeAll(async () => {
    const built = await buildFixtures(toolchain('1.23'), [
      { name: 'darwin-amd64', goos: 'darwin', goarch: 'amd64' },
      { name: 'darwin-arm64', goos: 'darwin', goarch: 'arm64' },
    ]);
    const bytes = async (name: string): Promise<Buffer> => readFile(built.get(name)?.path ?? 'missing');
    amd64 = { cputype: 0x01000007, cpusubtype: 3, bytes: await bytes('darwin-amd64') };
    arm64 = { cputype: 0x0100000c, cpusubtype: 0, bytes: await bytes('darwin-arm64') };
  });

  it.each([false, true])('verifies every slice (fat_arch_64: %s)', async (wide) => {
    const fat = new BufferSource(universal([amd64, arm64], wide));
    const r = await verifySource(fat, req('arm64'));
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({
      ok: true,
      format: 'macho-fat',
      machine: 'amd64+arm64',
      bits: 64,
      os: 'darwin',
    });
    expect(r.slices?.map((s) => [s.machine, s.ok])).toEqual([
      ['amd64', true],
      ['arm64', true],
    ]);
    expect(r.buildinfo?.settings.GOARCH).toBe('arm64');
    expect((await verifySource(fat, req('universal'))).ok).toBe(true);
    const missing = await verifySource(fat, req('386'));
    expect(missing.problems).toContain('the universal binary has no 386 slice (it holds amd64, arm64)');
  });

  it('rejects a slice whose header disagrees with the fat_arch entry', async () => {
    const r = await verifySource(
      new BufferSource(universal([{ ...amd64, cputype: 0x0100000c }, arm64])),
      req('universal'),
    );
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(
      /universal header says cputype 0x100000c but the slice is 0x1000007/,
    );
  });

  it('rejects a slice that is not a Mach-O file', async () => {
    const r = await verifySource(
      new BufferSource(universal([amd64, { ...arm64, bytes: Buffer.alloc(4096) }])),
      req('amd64'),
    );
    expect(r.ok).toBe(false);
    expect(r.slices?.[1]?.problems[0]).toMatch(/slice at offset \d+: not a Mach-O file/);
  });
});

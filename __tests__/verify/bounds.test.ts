// What the verifier reads is bounded by what the headers reference, not by the file: a sparse 4 GiB ELF whose
// segments claim all of it is searched only where its sections hold data; and an AIX file cut after its last
// section (a download cut short) fails, because the symbol and string tables its header places are gone.
import { copyFile, mkdtemp, open, readFile, rm, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { toolchain } from '../support/toolchains.js';
import type { ByteSource, VerifyRequest } from '../../src/verify/index.js';
import { BufferSource, verifySource } from '../../src/verify/index.js';
import { BUILDINFO_MAGIC, INFO_START } from '../../src/verify/buildinfo.js';
import { CachedSource, FileSource } from '../../src/verify/source.js';
import { buildFixtures } from './fixtures.js';

const request = (goos: string, goarch: string): VerifyRequest => ({
  goos,
  goarch,
  variant: null,
  cgoEnabled: '0',
  linkage: 'static',
  maxGlibc: null,
});

const NO_BUILD_INFO = 'no Go build info found: not a Go executable, or stripped/truncated';

/** Counts the bytes read and refuses to read more than `limit`, so that an unbounded scan fails at once. */
class CountingSource implements ByteSource {
  bytesRead = 0;
  constructor(
    private readonly inner: ByteSource,
    private readonly limit: number,
  ) {}
  get size(): number {
    return this.inner.size;
  }
  async read(offset: number, length: number): Promise<Buffer> {
    this.bytesRead += length;
    if (this.bytesRead > this.limit) throw new Error(`read ${this.bytesRead} bytes, more than ${this.limit}`);
    return this.inner.read(offset, length);
  }
}

let dir = '';
let linux = '';
let aix = Buffer.alloc(0);
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'verify-bounds-'));
  // The same names (and cached files) as the every-target tier's fixtures.
  const built = await buildFixtures(toolchain('1.26'), [
    { name: 'linux-amd64', goos: 'linux', goarch: 'amd64' },
    { name: 'aix-ppc64', goos: 'aix', goarch: 'ppc64' },
  ]);
  const file = (name: string): string => {
    const p = built.get(name)?.path;
    if (!p) throw new Error(`${name} did not build with Go 1.26: ${built.get(name)?.error}`);
    return p;
  };
  linux = file('linux-amd64');
  aix = await readFile(file('aix-ppc64'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a sparse 4 GiB ELF whose PT_LOADs claim the whole file and whose build info magic is zeroed', () => {
  const SIZE = 4 * 1024 ** 3;

  // With the module info's sentinels intact they are found; without, every region is searched in vain.
  it.each([
    ['its module info found by the sentinels', false],
    ['no build info left at all', true],
  ])('is searched only where its sections hold data: %s', async (_, zeroSentinel) => {
    const original = (await readFile(linux)).length;
    const sparse = path.join(dir, 'sparse');
    await copyFile(linux, sparse);
    const fh = await open(sparse, 'r+');
    try {
      const b = await readFile(sparse);
      const phoff = Number(b.readBigUInt64LE(32));
      for (let i = 0, at = phoff; i < b.readUInt16LE(56); i++, at += b.readUInt16LE(54)) {
        if (b.readUInt32LE(at) !== 1) continue; // PT_LOAD
        const claim = BigInt(SIZE) - b.readBigUInt64LE(at + 8);
        b.writeBigUInt64LE(claim, at + 32); // p_filesz
        b.writeBigUInt64LE(claim, at + 40); // p_memsz
      }
      const magic = b.indexOf(BUILDINFO_MAGIC);
      expect(magic).toBeGreaterThan(0);
      b.fill(0, magic, magic + BUILDINFO_MAGIC.length);
      if (zeroSentinel) {
        // The blob holds one copy, runtime.modinfo's string another.
        expect(b.indexOf(INFO_START)).toBeGreaterThan(0);
        for (let at = b.indexOf(INFO_START); at >= 0; at = b.indexOf(INFO_START))
          b.fill(0, at, at + INFO_START.length);
      }
      await fh.write(b, 0, b.length, 0);
    } finally {
      await fh.close();
    }
    await truncate(sparse, SIZE);

    const handle = await open(sparse, 'r');
    try {
      // Twice the real binary is what one search for the blob and one for the sentinels may read.
      const counted = new CountingSource(new FileSource(handle, SIZE), 2 * original + 8 * 1024 ** 2);
      const r = await verifySource(new CachedSource(counted), request('linux', 'amd64'));
      if (zeroSentinel) expect(r.problems).toContain(NO_BUILD_INFO);
      else {
        // The Go version went with the magic.
        expect(r.buildinfo?.settings.GOOS).toBe('linux');
        expect(r.buildinfo?.goVersion).toBeNull();
      }
      expect(counted.bytesRead).toBeLessThan(2 * original);
    } finally {
      await handle.close();
    }
  });
});

describe('an aix/ppc64 file cut after its last section', () => {
  /** Where the last section's bytes end, and where the symbol table (and the string table after it) start. */
  const layout = (b: Buffer): { sectionsEnd: number; symtab: number; strtab: number } => {
    const nscns = b.readUInt16BE(2);
    const opthdr = b.readUInt16BE(16);
    let sectionsEnd = 0;
    for (let i = 0; i < nscns; i++) {
      const at = 24 + opthdr + i * 72;
      const size = Number(b.readBigUInt64BE(at + 24));
      const offset = Number(b.readBigUInt64BE(at + 32));
      if (offset !== 0) sectionsEnd = Math.max(sectionsEnd, offset + size);
    }
    const symtab = Number(b.readBigUInt64BE(8));
    return { sectionsEnd, symtab, strtab: symtab + b.readUInt32BE(20) * 18 };
  };

  it('verifies whole', async () => {
    const r = await verifySource(new BufferSource(aix), request('aix', 'ppc64'));
    expect(r.problems).toEqual([]);
  });

  it('fails wherever the cut is', async () => {
    const { sectionsEnd, symtab, strtab } = layout(aix);
    // Go writes the symbols right after the last section and ends the file with their names.
    expect(sectionsEnd).toBeLessThanOrEqual(symtab);
    expect(strtab).toBeLessThan(aix.length);
    const cuts = [
      sectionsEnd,
      symtab + 1,
      Math.floor((symtab + strtab) / 2),
      strtab,
      strtab + 2,
      Math.floor((strtab + aix.length) / 2),
      aix.length - 1,
    ];
    for (const cut of cuts) {
      const r = await verifySource(new BufferSource(aix.subarray(0, cut)), request('aix', 'ppc64'));
      expect([cut, r.ok]).toEqual([cut, false]);
      expect(r.problems[0]).toMatch(/^truncated or corrupt: the XCOFF (symbol|string) table/);
    }
  });
});

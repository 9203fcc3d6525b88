// Malformed input always gets a verdict (ok:false with a problem), never an exception: junk, truncated
// real binaries, and real headers patched so that their tables point past the end of the file.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ByteSource, VerifyRequest, VerifyResult } from '../../src/verify/index.js';
import { BufferSource, verifyFile, verifySource } from '../../src/verify/index.js';
import { toolchain } from '../support/toolchains.js';
import { buildFixtures, targetName } from './fixtures.js';

const tc = toolchain('1.23');
const REAL = [
  ['linux', 'amd64'],
  ['linux', 'mips'],
  ['openbsd', 'amd64'],
  ['windows', 'amd64'],
  ['darwin', 'arm64'],
  ['js', 'wasm'],
  ['plan9', 'amd64'],
  ['aix', 'ppc64'],
] as const;

const req = (goos: string, goarch: string): VerifyRequest => ({
  goos,
  goarch,
  variant: null,
  cgoEnabled: '0',
  linkage: 'static',
  maxGlibc: null,
});

function expectRejected(r: VerifyResult): void {
  expect(r.ok).toBe(false);
  expect(r.problems.length).toBeGreaterThan(0);
  for (const p of r.problems) expect(p).toMatch(/\S/);
}

/** A deterministic byte stream (xorshift32), so "random" input is the same every run. */
function pseudoRandom(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('malformed input', () => {
  let dir = '';
  const files = new Map<string, Buffer>();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'verify-malformed-'));
    const built = await buildFixtures(
      tc,
      REAL.map(([goos, goarch]) => ({ name: targetName(goos, goarch), goos, goarch })),
    );
    for (const [goos, goarch] of REAL) {
      const p = built.get(targetName(goos, goarch))?.path;
      if (!p) throw new Error(`${goos}/${goarch} did not build`);
      files.set(`${goos}/${goarch}`, await readFile(p));
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const onDisk = async (
    name: string,
    bytes: Buffer,
    goos = 'linux',
    goarch = 'amd64',
  ): Promise<VerifyResult> => {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    return verifyFile(file, req(goos, goarch));
  };

  it.each([
    ['empty', Buffer.alloc(0), /empty/],
    ['one byte', Buffer.of(0x7f), /unrecognized|past the end/],
    ['MZ', Buffer.from('MZ'), /past the end/],
    ['a shell script', Buffer.from('#!/bin/sh\necho hello\n'), /script/],
    ['1000 random bytes', pseudoRandom(1000, 0x9e3779b9), /./],
    ['an ELF magic alone', Buffer.from('\x7fELF', 'latin1'), /past the end/],
  ])('%s', async (name, bytes, message) => {
    for (const [goos, goarch] of REAL) {
      const r = await onDisk(name.replace(/\W/g, '_'), bytes, goos, goarch);
      expectRejected(r);
      expect(r.problems[0]).toMatch(message);
    }
  });

  it('a missing file is a usage error (throws)', async () => {
    await expect(verifyFile(path.join(dir, 'does-not-exist'), req('linux', 'amd64'))).rejects.toThrow();
  });

  it.each(REAL.map(([goos, goarch]) => [`${goos}/${goarch}`, goos, goarch] as const))(
    '%s truncated at 100 bytes, 4 KiB and half its size',
    async (target, goos, goarch) => {
      const whole = files.get(target) ?? Buffer.alloc(0);
      expect((await onDisk('whole', whole, goos, goarch)).problems).toEqual([]);
      for (const n of [100, 4096, Math.floor(whole.length / 2)]) {
        const r = await onDisk(`cut-${n}`, whole.subarray(0, n), goos, goarch);
        expectRejected(r);
      }
    },
  );

  it('a table listing the same large range thousands of times does not make the search unbounded', async () => {
    // 4000 writable PT_LOADs, each the whole 8 MiB file, and no build info to find.
    const phnum = 4000;
    const b = Buffer.alloc(8 * 1024 * 1024);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(b);
    b.writeUInt16LE(2, 16);
    b.writeUInt16LE(62, 18);
    b.writeBigUInt64LE(64n, 0x20);
    b.writeUInt16LE(56, 0x36);
    b.writeUInt16LE(phnum, 0x38);
    for (let i = 0; i < phnum; i++) {
      const at = 64 + i * 56;
      b.writeUInt32LE(1, at);
      b.writeUInt32LE(6, at + 4);
      b.writeBigUInt64LE(BigInt(b.length), at + 32);
    }
    // Bounded by what it reads, not by how long that takes: searching each segment in turn would
    // read the file 4000 times.
    let bytesRead = 0;
    const source = new BufferSource(b);
    const counting: ByteSource = {
      size: source.size,
      read: (offset, length) => {
        bytesRead += length;
        return source.read(offset, length);
      },
    };
    const r = await verifySource(counting, req('linux', 'amd64'));
    expect(r.problems).toContain('no Go build info found: not a Go executable, or stripped/truncated');
    // About 2.4 times the file today (header reads and overlapping windows).
    expect(bytesRead).toBeLessThan(4 * b.length);
  });

  describe('headers whose tables point past the end', () => {
    /** Verifies a copy of a real file with `patch` applied. */
    const patched = async (target: string, patch: (b: Buffer) => void): Promise<VerifyResult> => {
      const b = Buffer.from(files.get(target) ?? Buffer.alloc(0));
      patch(b);
      const [goos = '', goarch = ''] = target.split('/');
      const r = await verifySource(new BufferSource(b), req(goos, goarch));
      expectRejected(r);
      return r;
    };
    const elfPhdr = (b: Buffer, type: number): number => {
      const phoff = Number(b.readBigUInt64LE(0x20));
      for (let i = 0; i < b.readUInt16LE(0x38); i++)
        if (b.readUInt32LE(phoff + i * 56) === type) return phoff + i * 56;
      throw new Error(`no program header of type ${type}`);
    };

    it('ELF', async () => {
      const t = 'linux/amd64';
      await patched(t, (b) => b.writeBigUInt64LE(BigInt(b.length + 1), 0x20)); // e_phoff
      await patched(t, (b) => b.writeUInt16LE(0xffff, 0x38)); // e_phnum
      await patched(t, (b) => b.writeBigUInt64LE(BigInt(b.length - 10), 0x28)); // e_shoff
      await patched(t, (b) => b.writeUInt16LE(b.readUInt16LE(0x3c) + 5, 0x3e)); // e_shstrndx
      await patched(t, (b) => b.writeUInt16LE(8, 0x36)); // e_phentsize
      await patched(t, (b) => b.writeBigUInt64LE(BigInt(b.length + 1), elfPhdr(b, 1) + 32)); // PT_LOAD p_filesz
      await patched(t, (b) => b.writeBigUInt64LE(1n << 62n, elfPhdr(b, 1) + 8)); // PT_LOAD p_offset
      await patched(t, (b) => b.writeBigUInt64LE(BigInt(b.length - 4), elfPhdr(b, 4) + 8)); // PT_NOTE p_offset
      const o = 'openbsd/amd64';
      await patched(o, (b) => b.writeBigUInt64LE(BigInt(b.length), elfPhdr(b, 3) + 8)); // PT_INTERP p_offset
      await patched(o, (b) => b.writeBigUInt64LE(BigInt(b.length) * 2n, elfPhdr(b, 2) + 32)); // PT_DYNAMIC p_filesz
      const r = await patched(o, (b) => {
        // DT_STRTAB → an address no PT_LOAD maps.
        const dyn = Number(b.readBigUInt64LE(elfPhdr(b, 2) + 8));
        for (let at = dyn; ; at += 16) {
          if (b.readBigInt64LE(at) === 5n) return b.writeBigUInt64LE(0x7fff0000n, at + 8);
        }
      });
      expect(r.problems[0]).toMatch(/string table is not inside any loaded segment/);
      await patched('linux/mips', (b) => b.writeUInt32BE(b.length, 0x1c)); // ELF32 MSB e_phoff
    });

    it('PE', async () => {
      const t = 'windows/amd64';
      const lfanew = (b: Buffer): number => b.readUInt32LE(0x3c);
      await patched(t, (b) => b.writeUInt32LE(b.length + 4, 0x3c));
      await patched(t, (b) => b.writeUInt16LE(200, lfanew(b) + 6)); // NumberOfSections
      await patched(t, (b) => b.writeUInt16LE(0xffff, lfanew(b) + 20)); // SizeOfOptionalHeader
      await patched(t, (b) => b.writeUInt32LE(0x50450001, lfanew(b))); // signature
      const section0 = (b: Buffer): number => lfanew(b) + 24 + b.readUInt16LE(lfanew(b) + 20);
      await patched(t, (b) => b.writeUInt32LE(b.length, section0(b) + 20)); // PointerToRawData
      await patched(t, (b) => b.writeUInt32LE(0x7fffffff, section0(b) + 16)); // SizeOfRawData
      // Import directory RVA outside every section.
      await patched(t, (b) => b.writeUInt32LE(0x7ff00000, lfanew(b) + 24 + 112 + 8));
    });

    it('Mach-O', async () => {
      const t = 'darwin/arm64';
      await patched(t, (b) => b.writeUInt32LE(b.length, 20)); // sizeofcmds
      await patched(t, (b) => b.writeUInt32LE(1_000_000, 16)); // ncmds
      await patched(t, (b) => b.writeUInt32LE(0, 32 + 4)); // first cmdsize
      await patched(t, (b) => {
        // The segment after __PAGEZERO (which maps no file bytes) gets a file size past the end.
        const second = 32 + b.readUInt32LE(32 + 4);
        b.writeBigUInt64LE(BigInt(b.length + 1), second + 48);
      });
    });

    it('universal', async () => {
      const thin = files.get('darwin/arm64') ?? Buffer.alloc(0);
      const fat = Buffer.alloc(0x4000 + thin.length);
      fat.writeUInt32BE(0xcafebabe, 0);
      fat.writeUInt32BE(1, 4);
      fat.writeUInt32BE(0x0100000c, 8);
      fat.writeUInt32BE(0x4000, 16);
      fat.writeUInt32BE(thin.length + 1, 20); // one byte past the end
      fat.writeUInt32BE(14, 24);
      thin.copy(fat, 0x4000);
      expectRejected(await verifySource(new BufferSource(fat), req('darwin', 'arm64')));
      fat.writeUInt32BE(thin.length, 20);
      expect((await verifySource(new BufferSource(fat), req('darwin', 'arm64'))).problems).toEqual([]);
      fat.writeUInt32BE(1000, 4); // a Java class file's "count"
      expectRejected(await verifySource(new BufferSource(fat), req('darwin', 'arm64')));
    });

    it('wasm, Plan 9 and XCOFF', async () => {
      await patched('js/wasm', (b) => Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]).copy(b, 9)); // first section size
      await patched('js/wasm', (b) => b.writeUInt32LE(2, 4)); // version
      await patched('plan9/amd64', (b) => b.writeUInt32BE(0xffffffff, 4)); // text size
      await patched('plan9/amd64', (b) => b.writeUInt32BE(0x80000000, 8)); // data size
      await patched('aix/ppc64', (b) => b.writeBigUInt64BE(0xffffffffffffn, 24 + b.readUInt16BE(16) + 32)); // s_scnptr
      await patched('aix/ppc64', (b) => b.writeUInt16BE(0xffff, 2)); // f_nscns
    });
  });
});

// The rules that need no executable: unknown targets, variant comparison, version ordering.
import { describe, expect, it } from '@jest/globals';
import { variantMatches } from '../../src/verify/check.js';
import { expectationFor } from '../../src/verify/expect.js';
import { BufferSource, verifySource } from '../../src/verify/index.js';
import { compareVersions } from '../../src/verify/versions.js';

describe('targets the verifier does not know', () => {
  it('names the unknown architecture or OS instead of crashing', async () => {
    expect(expectationFor('linux', 'sparc64')).toBe(
      'cannot verify headers of linux/sparc64: unknown architecture sparc64',
    );
    expect(expectationFor('haiku', 'amd64')).toBe(
      'cannot verify headers of haiku/amd64: unknown operating system haiku',
    );
    expect(expectationFor('windows', 'riscv64')).toMatch(
      /^cannot verify headers of windows\/riscv64: unknown architecture for windows/,
    );
    expect(expectationFor('linux', '__proto__')).toMatch(/unknown architecture/);
    const r = await verifySource(new BufferSource(Buffer.from('#!/bin/sh\n')), {
      goos: 'linux',
      goarch: 'sparc64',
      variant: null,
      cgoEnabled: '0',
      linkage: 'static',
      maxGlibc: null,
    });
    expect(r.ok).toBe(false);
    expect(r.problems).toContain('cannot verify headers of linux/sparc64: unknown architecture sparc64');
  });
});

describe('variant values', () => {
  it('compares meanings: implied features count, order does not', () => {
    expect(variantMatches('GOARM', '7', '7')).toBe(true);
    expect(variantMatches('GOARM', '7', '7,hardfloat')).toBe(true);
    expect(variantMatches('GOARM', '7', '5')).toBe(false);
    expect(variantMatches('GOARM', '7,softfloat', '7,hardfloat')).toBe(false);
    expect(variantMatches('GOAMD64', 'v3', 'v3')).toBe(true);
    expect(variantMatches('GOAMD64', 'v3', 'v2')).toBe(false);
    expect(variantMatches('GOWASM', 'signext,satconv', 'satconv,signext')).toBe(true);
    expect(variantMatches('GOWASM', 'satconv', 'satconv,signext')).toBe(false);
    // 7 is hard float, so a soft-float 7 is another binary; 5 is soft float by itself.
    expect(variantMatches('GOARM', '7', '7,softfloat')).toBe(false);
    expect(variantMatches('GOARM', '5,softfloat', '5')).toBe(true);
    expect(variantMatches('GOARM', '6,hardfloat', '6')).toBe(true);
    // v8.1 and up force LSE on; v8.0 has it only when named.
    expect(variantMatches('GOARM64', 'v8.1', 'v8.1,lse')).toBe(true);
    expect(variantMatches('GOARM64', 'v9.2,lse', 'v9.2')).toBe(true);
    expect(variantMatches('GOARM64', 'v8.0', 'v8.0,lse')).toBe(false);
    expect(variantMatches('GOARM64', 'v8.2,lse,crypto', 'v8.2,crypto')).toBe(true);
    expect(variantMatches('GOARM64', 'v8.2,crypto', 'v8.2')).toBe(false);
  });
});

describe('glibc versions', () => {
  it('order numerically', () => {
    expect(compareVersions('2.9', '2.17')).toBe(-1);
    expect(compareVersions('2.34', '2.17')).toBe(1);
    expect(compareVersions('2.2.5', '2.2')).toBe(1);
    expect(compareVersions('2.17', '2.17.0')).toBe(0);
  });
});

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
  it('compares the level before any comma unless the target spells the suffix out', () => {
    expect(variantMatches('GOARM', '7', '7')).toBe(true);
    expect(variantMatches('GOARM', '7', '7,hardfloat')).toBe(true);
    expect(variantMatches('GOARM', '7', '5')).toBe(false);
    expect(variantMatches('GOARM', '7,softfloat', '7,hardfloat')).toBe(false);
    expect(variantMatches('GOAMD64', 'v3', 'v3')).toBe(true);
    expect(variantMatches('GOAMD64', 'v3', 'v2')).toBe(false);
    expect(variantMatches('GOWASM', 'signext,satconv', 'satconv,signext')).toBe(true);
    expect(variantMatches('GOWASM', 'satconv', 'satconv,signext')).toBe(false);
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

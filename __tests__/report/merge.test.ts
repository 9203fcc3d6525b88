import { describe, expect, it } from '@jest/globals';
import { mergeManifests } from '../../src/collect/index.js';
import { entry, manifest } from './fixtures.js';

describe('mergeManifests', () => {
  const legA = manifest([entry('linux/amd64'), entry('linux/arm64')], {
    cache: { hit: 'true', key: 'k1', restoredBytes: 10, savedBytes: 0 },
    buildPhaseSeconds: 4,
  });
  const legB = manifest(
    [entry('windows/amd64'), entry('darwin/arm64', { status: 'build-failed', path: null })],
    {
      version: 'v9.9.9',
      cache: { hit: 'false', key: 'k2', restoredBytes: 0, savedBytes: 20 },
      buildPhaseSeconds: 7,
    },
  );

  it('unions the legs in requested order, with the first leg’s header fields', () => {
    const requested = ['windows/amd64', 'linux/amd64', 'linux/arm64', 'darwin/arm64'];
    const { manifest: merged, missing, failed } = mergeManifests([legA, legB], requested);
    expect(merged.artifacts.map((a) => a.target)).toEqual(requested);
    expect(merged.version).toBe('v1.2.3');
    expect(merged.go).toEqual(legA.go);
    expect(merged.buildPhaseSeconds).toBe(7);
    expect(merged.cache).toEqual({ hit: 'partial', key: null, restoredBytes: 10, savedBytes: 20 });
    expect(missing).toEqual([]);
    expect(failed).toEqual(['darwin/arm64']);
  });

  it('names requested targets that no leg reported', () => {
    const { missing } = mergeManifests([legA], ['linux/amd64', 'windows/amd64', 'linux/arm64', 'js/wasm']);
    expect(missing).toEqual(['windows/amd64', 'js/wasm']);
  });

  it('keeps one entry per target and package, preferring an ok one', () => {
    const failedFirst = manifest([
      entry('linux/amd64', { status: 'verify-failed' }),
      entry('linux/amd64', { package: './cmd/b' }),
    ]);
    const okLater = manifest([entry('linux/amd64', { sha256: 'cd'.repeat(32) })]);
    const { manifest: merged, failed } = mergeManifests([failedFirst, okLater, legA], ['linux/amd64']);
    const amd64 = merged.artifacts.filter((a) => a.target === 'linux/amd64');
    expect(amd64.map((a) => [a.package, a.status, a.sha256])).toEqual([
      ['.', 'ok', 'cd'.repeat(32)],
      ['./cmd/b', 'ok', 'ab'.repeat(32)],
    ]);
    expect(failed).toEqual([]);
  });

  it('with no legs, every requested target is missing', () => {
    const { manifest: merged, missing } = mergeManifests([], ['linux/amd64']);
    expect(merged.artifacts).toEqual([]);
    expect(merged.cache).toBeNull();
    expect(missing).toEqual(['linux/amd64']);
  });
});

describe('mergeManifests with one leg seen in several artifacts', () => {
  it('counts that leg once', () => {
    const leg = manifest([entry('linux/amd64')], {
      cache: { hit: 'true', key: 'k', restoredBytes: 100, savedBytes: 5 },
      buildPhaseSeconds: 2,
    });
    const { manifest: merged } = mergeManifests([leg, structuredClone(leg)], ['linux/amd64']);
    expect(merged.cache).toEqual({ hit: 'true', key: 'k', restoredBytes: 100, savedBytes: 5 });
    expect(merged.artifacts).toHaveLength(1);
  });
});

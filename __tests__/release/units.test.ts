// The release's pure parts: which tag, prerelease or not, the notes of a signed tag, and the
// asset plan that decides what a re-run keeps, adds and replaces.
import { describe, expect, it } from '@jest/globals';
import type { ReleaseFile } from '../../src/release/assets.js';
import { apiFailure } from '../../src/github/client.js';
import type { RemoteAsset } from '../../src/release/sync.js';
import { needsBytes, planAssets } from '../../src/release/sync.js';
import { isSemverPrerelease, releaseTag, tagNotes } from '../../src/release/tag.js';

const file = (name: string, sha256: string, size = 10): ReleaseFile => ({
  name,
  file: `/out/${name}`,
  sha256,
  size,
});
const remote = (
  id: number,
  name: string,
  sha256: string | null,
  state = 'uploaded',
  size = 10,
): RemoteAsset => ({
  id,
  name,
  state,
  size,
  sha256,
});

describe('releaseTag', () => {
  it('is the tag of a tag ref and nothing else', () => {
    expect(releaseTag({ GITHUB_REF: 'refs/tags/v1.2.3' })).toBe('v1.2.3');
    expect(releaseTag({ GITHUB_REF: 'refs/tags/release/2026-12' })).toBe('release/2026-12');
    expect(releaseTag({ GITHUB_REF: 'refs/heads/main' })).toBeNull();
    expect(releaseTag({ GITHUB_REF: 'refs/pull/7/merge' })).toBeNull();
    expect(releaseTag({ GITHUB_REF: 'refs/tags/' })).toBeNull();
    expect(releaseTag({})).toBeNull();
  });
});

describe('isSemverPrerelease', () => {
  it.each([
    ['v1.2.0-rc.1', true],
    ['1.2.0-alpha', true],
    ['v2.0.0-0.3.7', true],
    ['v1.0.0-x.7.z.92+build.5', true],
    ['v1.2.0', false],
    ['v1.2.0+meta', false],
    ['v1.2', false],
    ['nightly', false],
    ['v01.2.3-rc.1', false], // not semver: leading zero
  ])('%s → %s', (tag, expected) => {
    expect(isSemverPrerelease(tag)).toBe(expected);
  });
});

describe('tagNotes', () => {
  it('drops the signature block of a signed tag and the blank lines around the message', () => {
    const signed =
      'Release 1.2.3\n\n- faster\n-----BEGIN PGP SIGNATURE-----\n\niQEz\n-----END PGP SIGNATURE-----\n';
    expect(tagNotes(signed)).toBe('Release 1.2.3\n\n- faster');
    expect(tagNotes('One line\n-----BEGIN SSH SIGNATURE-----\nU1NI\n-----END SSH SIGNATURE-----\n')).toBe(
      'One line',
    );
    expect(tagNotes('\nplain\n\n')).toBe('plain');
  });
});

describe('planAssets', () => {
  it('keeps equal bytes, adds new names, replaces changed bytes, clears a broken upload first', () => {
    const files = [
      file('a.tar.gz', 'aa'),
      file('b.zip', 'bb'),
      file('c.cdx.json', 'cc'),
      file('checksums.txt', 'dd'),
    ];
    const plan = planAssets(files, [
      remote(1, 'a.tar.gz', 'aa'),
      remote(2, 'b.zip', 'b0'),
      remote(3, 'checksums.txt', null, 'starter', 0),
      remote(4, 'notes.pdf', 'ee'),
    ]);
    expect(plan.steps.map((s) => [s.kind, s.file.name])).toEqual([
      ['keep', 'a.tar.gz'],
      ['replace', 'b.zip'],
      ['add', 'c.cdx.json'],
      ['add', 'checksums.txt'],
    ]);
    const blocked = plan.steps[3];
    expect(blocked?.kind === 'add' && blocked.blocked?.id).toBe(3);
    expect(plan.others.map((o) => o.name)).toEqual(['notes.pdf']);
  });

  it('reads the bytes only when GitHub gave no digest and the sizes agree', () => {
    expect(needsBytes(file('a', 'aa', 10), remote(1, 'a', null, 'uploaded', 10))).toBe(true);
    expect(needsBytes(file('a', 'aa', 10), remote(1, 'a', null, 'uploaded', 11))).toBe(false);
    expect(needsBytes(file('a', 'aa', 10), remote(1, 'a', 'aa'))).toBe(false);
    expect(needsBytes(file('a', 'aa', 10), remote(1, 'a', null, 'starter', 10))).toBe(false);
    // Different sizes without a digest: changed bytes, replaced without reading them.
    const plan = planAssets([file('a', 'aa', 10)], [remote(1, 'a', null, 'uploaded', 11)]);
    expect(plan.steps[0]?.kind).toBe('replace');
  });
});

describe('apiFailure', () => {
  it('names the permission GitHub says the endpoint needs, and never the token', () => {
    const err = Object.assign(new Error('Resource not accessible by integration (token ghs_secret)'), {
      status: 403,
      response: { headers: { 'x-accepted-github-permissions': 'contents=write' }, data: {} },
    });
    expect(apiFailure(err, 'ghs_secret')).toEqual({
      status: 403,
      message: 'Resource not accessible by integration (token ***)',
      permission: 'contents: write',
      codes: [],
      apiMessage: null,
    });
  });

  it("gives GitHub's own message apart, and leaves text alone when there is no token to hide", () => {
    const err = Object.assign(new Error('Cannot upload assets to an immutable release.: {"code":"custom"}'), {
      status: 422,
      response: { headers: {}, data: { message: 'Cannot upload assets to an immutable release.' } },
    });
    expect(apiFailure(err, '')).toMatchObject({
      message: 'Cannot upload assets to an immutable release.: {"code":"custom"}',
      apiMessage: 'Cannot upload assets to an immutable release.',
    });
  });

  it('reads the validation codes of a 422', () => {
    const err = Object.assign(new Error('Validation Failed'), {
      status: 422,
      response: {
        headers: {},
        data: { errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }] },
      },
    });
    expect(apiFailure(err, 't').codes).toEqual(['already_exists']);
  });
});

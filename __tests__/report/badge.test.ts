import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { badgeContent, writeBadge } from '../../src/report/badge.js';
import { entry, manifest, verified } from './fixtures.js';

const twelve = Array.from({ length: 12 }, (_, i) => entry(`linux/arch${i}`));

describe('badgeContent', () => {
  it('is green "12/12 verified" when every target is ok and verified', () => {
    expect(badgeContent(manifest(twelve))).toEqual({
      schemaVersion: 1,
      label: 'go build',
      message: '12/12 verified',
      color: 'green',
    });
  });

  it('is red "11/12 verified" when one target failed verification', () => {
    const failing = [
      ...twelve.slice(1),
      entry('linux/mips', {
        status: 'verify-failed',
        verify: verified({ ok: false, problems: ['The header says mipsle.'] }),
      }),
    ];
    expect(badgeContent(manifest(failing))).toMatchObject({ message: '11/12 verified', color: 'red' });
  });

  it('counts a build failure (no verify record) as not verified', () => {
    const failing = [
      ...twelve.slice(1),
      entry('linux/x', { status: 'build-failed', path: null, verify: null }),
    ];
    expect(badgeContent(manifest(failing))).toMatchObject({ message: '11/12 verified', color: 'red' });
  });

  it('says "built" when verification was off', () => {
    const unverified = twelve.map((a) => ({ ...a, verify: null }));
    expect(badgeContent(manifest(unverified))).toMatchObject({ message: '12/12 built', color: 'green' });
  });

  it('is red for an empty manifest', () => {
    expect(badgeContent(manifest([]))).toMatchObject({ message: '0/0 built', color: 'red' });
  });
});

describe('writeBadge', () => {
  it('writes badge.svg and a shields.io endpoint badge.json', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gbm-badge-'));
    const written = await writeBadge(path.join(dir, 'dist'), manifest(twelve));
    expect(written).toEqual({
      svg: path.join(dir, 'dist', 'badge.svg'),
      json: path.join(dir, 'dist', 'badge.json'),
    });
    const svg = readFileSync(written.svg, 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('go build');
    expect(svg).toContain('12/12 verified');
    expect(JSON.parse(readFileSync(written.json, 'utf8'))).toEqual({
      schemaVersion: 1,
      label: 'go build',
      message: '12/12 verified',
      color: 'green',
    });
  });
});

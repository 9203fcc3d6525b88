// The build badge: badge.svg to commit or publish as is, and badge.json for shields.io's
// endpoint badge (https://shields.io/badges/endpoint-badge), both from the manifest alone.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from './manifest.js';
import { makeDirectories } from '../make-dirs.js';

export const BADGE_SVG = 'badge.svg';
export const BADGE_JSON = 'badge.json';

export interface BadgeContent {
  schemaVersion: 1;
  label: string;
  message: string;
  color: 'green' | 'red';
}

export interface Verdict {
  /** Targets that are ok and verified (or, with verification off, ok and built). */
  good: number;
  total: number;
  /** 'built' when verification was off for every target. */
  word: 'verified' | 'built';
  passed: boolean;
}

/** The one count that the badge and the commit status both show. */
export function verdict(manifest: Manifest): Verdict {
  const all = manifest.artifacts;
  const verifying = all.some((a) => a.verify !== null);
  const good = all.filter(
    (a) => a.status === 'ok' && (verifying ? a.verify?.ok === true : a.path !== null),
  ).length;
  return {
    good,
    total: all.length,
    word: verifying ? 'verified' : 'built',
    passed: all.length > 0 && good === all.length,
  };
}

/** "12/12 verified" (green only when every target is ok and verified); "built" when verification was off. */
export function badgeContent(manifest: Manifest): BadgeContent {
  const v = verdict(manifest);
  return {
    schemaVersion: 1,
    label: 'go build',
    message: `${v.good}/${v.total} ${v.word}`,
    color: v.passed ? 'green' : 'red',
  };
}

/** Writes badge.svg and badge.json into outputDir; returns their paths. */
export async function writeBadge(
  outputDir: string,
  manifest: Manifest,
): Promise<{ svg: string; json: string }> {
  const content = badgeContent(manifest);
  await makeDirectories(outputDir);
  const svg = path.join(outputDir, BADGE_SVG);
  const json = path.join(outputDir, BADGE_JSON);
  const { makeBadge } = await import('badge-maker');
  await writeFile(svg, makeBadge({ label: content.label, message: content.message, color: content.color }));
  await writeFile(json, `${JSON.stringify(content, null, 2)}\n`);
  return { svg, json };
}

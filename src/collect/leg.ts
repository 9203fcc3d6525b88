// One downloaded leg artifact: its manifest, the sums its checksums.txt recorded and its other
// files. Only regular files count: a symlink is neither read nor collected.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { CHECKSUMS_FILE } from '../package/checksums.js';
import type { Manifest } from '../report/manifest.js';
import { MANIFEST_FILE } from '../report/manifest.js';
import { TOOL } from '../version.js';

/** Regular files below dir, as '/'-separated paths relative to it. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

function parseJson(text: string | null): unknown {
  try {
    return text === null ? null : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}

function isManifest(value: unknown): value is Manifest {
  const m = value as Partial<Manifest> | null;
  return m?.schemaVersion === 1 && m.tool?.name === TOOL.name && Array.isArray(m.artifacts);
}

/** `<sha256>  <name>` lines of a leg's checksums.txt. */
function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (match?.[1] && match[2]) sums.set(match[2], match[1]);
  }
  return sums;
}

export interface Leg {
  manifest: Manifest;
  checksums: Map<string, string> | null;
  /** Files besides manifest and checksums, relative to the artifact's root (= the leg's output-dir). */
  files: string[];
  dir: string;
}

/** null when the artifact holds no go-build-matrix manifest.json (another job's artifact). */
export async function readLeg(dir: string): Promise<Leg | null> {
  const all = await filesBelow(dir);
  const read = (name: string) =>
    all.includes(name) ? readFile(path.join(dir, name), 'utf8').catch(() => null) : Promise.resolve(null);
  const manifest = parseJson(await read(MANIFEST_FILE));
  if (!isManifest(manifest)) return null;
  const sums = await read(CHECKSUMS_FILE);
  const files = all.filter((f) => f !== MANIFEST_FILE && f !== CHECKSUMS_FILE);
  return { manifest, checksums: sums === null ? null : parseChecksums(sums), files, dir };
}

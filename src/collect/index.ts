// mode: collect. Downloads every artifact the build legs of this run uploaded, puts their files
// back into one output-dir and merges the legs' manifests and checksums into the run's.
import { mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { callClient } from '../cache/client-call.js';
import type { Logger } from '../log.js';
import { CHECKSUMS_FILE, writeChecksums } from '../package/checksums.js';
import type { ArtifactEntry, Manifest } from '../report/manifest.js';
import { MANIFEST_FILE, writeManifest } from '../report/manifest.js';
import { TOOL } from '../version.js';
import { mergeManifests } from './merge.js';
import { makeDirectories } from '../make-dirs.js';
import { sha256File } from '../hash.js';

export { mergeManifests } from './merge.js';
export type { MergeResult } from './merge.js';

export interface CollectRequest {
  /** Absolute: where the collected files, manifest.json and checksums.txt go. */
  outputDir: string;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  /** The target ids that were asked for, to name the ones no leg reported. */
  requested: readonly string[];
  /** Per service call; default 20 minutes (the client sets no timeout of its own). */
  timeoutMs?: number;
}

export interface CollectResult {
  manifest: Manifest;
  missing: string[];
  failed: string[];
  /** The merged checksums.txt; null when no leg wrote checksums. */
  checksumsPath: string | null;
}

const DEFAULT_TIMEOUT_MS = 20 * 60 * 1000;

/** Files below dir, as '/'-separated paths relative to it. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
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

interface Leg {
  manifest: Manifest;
  checksums: Map<string, string> | null;
  /** Files besides manifest and checksums, relative to the artifact's root (= the leg's output-dir). */
  files: string[];
  dir: string;
}

async function readLeg(dir: string): Promise<Leg | null> {
  const manifest: unknown = await readFile(path.join(dir, MANIFEST_FILE), 'utf8')
    .then((text) => JSON.parse(text) as unknown)
    .catch(() => null);
  if (!isManifest(manifest)) return null;
  const sums = await readFile(path.join(dir, CHECKSUMS_FILE), 'utf8').catch(() => null);
  const files = (await filesBelow(dir)).filter((f) => f !== MANIFEST_FILE && f !== CHECKSUMS_FILE);
  return { manifest, checksums: sums === null ? null : parseChecksums(sums), files, dir };
}

/** Downloads the run's artifacts, one folder each; artifacts that no go-build-matrix leg made are skipped. */
async function downloadLegs(req: CollectRequest, tempDir: string): Promise<Leg[]> {
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const client = new DefaultArtifactClient();
  const timeout = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // latest: a re-run leg's artifact replaces the earlier attempt's of the same name.
  const listed = await callClient('Listing the artifacts of this run', req.env, timeout, () =>
    client.listArtifacts({ latest: true }),
  );
  if (listed.value === undefined) {
    const why = listed.error instanceof Error ? listed.error.message : String(listed.error);
    throw new Error(`Listing the artifacts of this run failed: ${why}`);
  }
  const legs: Leg[] = [];
  for (const artifact of listed.value.artifacts) {
    const dir = path.join(tempDir, String(artifact.id));
    const options = { path: dir, ...(artifact.digest ? { expectedHash: artifact.digest } : {}) };
    const call = await callClient(`Downloading artifact ${artifact.name}`, req.env, timeout, () =>
      client.downloadArtifact(artifact.id, options),
    );
    if (call.value === undefined) {
      const why = call.error instanceof Error ? call.error.message : String(call.error);
      throw new Error(`Downloading artifact ${JSON.stringify(artifact.name)} failed: ${why}`);
    }
    if (call.value.digestMismatch) {
      throw new Error(
        `Artifact ${JSON.stringify(artifact.name)} arrived with another digest than it was uploaded with; re-run the collect job`,
      );
    }
    const leg = await readLeg(dir);
    if (leg === null)
      req.log.debug(`Artifact ${artifact.name} holds no go-build-matrix manifest.json; skipped`);
    else legs.push(leg);
  }
  return legs;
}

export async function collectResults(req: CollectRequest): Promise<CollectResult> {
  if (!req.env.ACTIONS_RUNTIME_TOKEN || !req.env.ACTIONS_RESULTS_URL) {
    throw new Error(
      'mode: collect downloads the artifacts of this workflow run, so it only works inside GitHub Actions (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set)',
    );
  }
  const outputDir = path.resolve(req.outputDir);
  const workspace = path.resolve(req.env.GITHUB_WORKSPACE ?? process.cwd());
  const relativeToWorkspace = (file: string) => path.relative(workspace, file).split(path.sep).join('/');
  await makeDirectories(outputDir);
  const tempDir = await mkdtemp(path.join(outputDir, '.collect-'));
  try {
    const legs = await downloadLegs(req, tempDir);
    // Where each collected file now lives, by its name inside the artifact.
    const placed = new Map<string, string>();
    const recorded = new Map<string, string>();
    for (const leg of legs) {
      for (const name of leg.files) {
        const dest = path.join(outputDir, ...name.split('/'));
        await makeDirectories(path.dirname(dest));
        await rename(path.join(leg.dir, ...name.split('/')), dest);
        placed.set(name, dest);
      }
      for (const [name, sum] of leg.checksums ?? []) recorded.set(name, sum);
    }
    // The manifest's paths are the legs' workspace paths; they end in the name inside the artifact.
    const moved = (p: string | null): string | null => {
      if (p === null) return null;
      const name = [...placed.keys()]
        .filter((n) => p === n || p.endsWith(`/${n}`))
        .sort((a, b) => b.length - a.length)[0];
      const dest = name === undefined ? undefined : placed.get(name);
      return dest === undefined ? p : relativeToWorkspace(dest);
    };
    const relocate = (a: ArtifactEntry): ArtifactEntry => ({
      ...a,
      path: moved(a.path),
      archive: moved(a.archive),
      ...(a.sboms !== undefined ? { sboms: a.sboms.map((s) => moved(s) ?? s) } : {}),
    });
    // The service lists artifacts in no promised order; the leg holding the earliest requested
    // target counts as the first, so the merged header does not depend on upload timing.
    const rank = (m: Manifest) =>
      Math.min(
        req.requested.length,
        ...m.artifacts.map((a) => req.requested.indexOf(a.target)).filter((i) => i >= 0),
      );
    const ranked = legs.map((l) => l.manifest).sort((x, y) => rank(x) - rank(y));
    const merged = mergeManifests(ranked, req.requested);
    const checksummed: { path: string; sha256: string }[] = [];
    for (const [name, sum] of recorded) {
      const file = placed.get(name);
      if (file === undefined) continue; // built by a leg but not uploaded (the archive was)
      const actual = await sha256File(file);
      if (actual !== sum) {
        throw new Error(`${name} does not match the sha256 its build leg recorded (${sum}, got ${actual})`);
      }
      checksummed.push({ path: file, sha256: sum });
    }
    const checksumsPath = legs.some((l) => l.checksums !== null)
      ? await writeChecksums(outputDir, checksummed)
      : null;
    const manifest: Manifest = {
      ...merged.manifest,
      checksums: checksumsPath === null ? null : relativeToWorkspace(checksumsPath),
      artifacts: merged.manifest.artifacts.map(relocate),
    };
    await writeManifest(outputDir, manifest);
    req.log.info(
      `Collected ${placed.size} files from ${legs.length} artifacts: ${manifest.artifacts.length} targets` +
        (merged.missing.length > 0 ? `, missing ${merged.missing.join(', ')}` : '') +
        (merged.failed.length > 0 ? `, failed ${merged.failed.join(', ')}` : ''),
    );
    return { manifest, missing: merged.missing, failed: merged.failed, checksumsPath };
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

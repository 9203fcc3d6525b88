// mode: collect. Downloads the artifacts the build legs of this run uploaded under its prefix,
// puts their files back into one output-dir and merges the legs' manifests and checksums into the
// run's, each target from the newest run attempt that built it.
import { mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { callClient } from '../cache/client-call.js';
import type { Logger } from '../log.js';
import { writeChecksums } from '../package/checksums.js';
import type { ArtifactEntry, Manifest } from '../report/manifest.js';
import { writeManifest } from '../report/manifest.js';
import type { Leg } from './leg.js';
import { readLeg } from './leg.js';
import { attemptOf, entryKey, mergeManifests, newestAttempts } from './merge.js';
import { makeDirectories } from '../make-dirs.js';
import { sha256File } from '../hash.js';
import { assetNames, checkInside } from '../package/shipped.js';

export { mergeManifests } from './merge.js';
export type { MergeResult } from './merge.js';

export interface CollectRequest {
  /** Absolute: where the collected files, manifest.json and checksums.txt go. */
  outputDir: string;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  /** The target ids that were asked for, to name the ones no leg reported. */
  requested: readonly string[];
  /** Only artifacts whose names start with it are downloaded: the legs of this call. */
  prefix: string;
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

/**
 * Downloads the run's artifacts that start with the prefix, one folder each; one that holds no
 * go-build-matrix manifest is skipped. Every attempt's artifact of a name is taken: which attempt
 * a leg ran in is in its manifest, and the service's ids do not follow attempts.
 */
async function downloadLegs(req: CollectRequest, tempDir: string): Promise<Leg[]> {
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const client = new DefaultArtifactClient();
  const timeout = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const listed = await callClient('Listing the artifacts of this run', req.env, timeout, () =>
    client.listArtifacts(),
  );
  if (listed.value === undefined) {
    const why = listed.error instanceof Error ? listed.error.message : String(listed.error);
    throw new Error(
      `Listing the artifacts of this run failed: ${why}; the collect job needs 'actions: read' (the default token has it); re-run it once the artifact service answers`,
    );
  }
  const all = listed.value.artifacts;
  const ours = all.filter((a) => a.name.startsWith(req.prefix));
  req.log.info(
    `${ours.length} of the run's ${all.length} artifacts start with the artifact prefix ${JSON.stringify(req.prefix)}; only those are downloaded.`,
  );
  const legs: Leg[] = [];
  for (const artifact of ours) {
    const dir = path.join(tempDir, String(artifact.id));
    const options = { path: dir, ...(artifact.digest ? { expectedHash: artifact.digest } : {}) };
    const call = await callClient(`Downloading artifact ${artifact.name}`, req.env, timeout, () =>
      client.downloadArtifact(artifact.id, options),
    );
    if (call.value === undefined) {
      const why = call.error instanceof Error ? call.error.message : String(call.error);
      throw new Error(
        `Downloading artifact ${JSON.stringify(artifact.name)} failed: ${why}; re-run the collect job, or the build legs if the artifact expired`,
      );
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

/** Files of a leg whose targets a newer run attempt built again: the newer files are collected instead. */
function supersededFiles(leg: Leg, newest: ReadonlyMap<string, number>): Set<string> {
  const attempt = attemptOf(leg.manifest);
  const stale = new Set<string>();
  for (const entry of leg.manifest.artifacts) {
    if ((newest.get(entryKey(entry)) ?? 0) <= attempt) continue;
    const paths = [entry.path, entry.archive, ...(entry.sboms ?? [])].filter((p): p is string => p !== null);
    for (const name of leg.files)
      if (paths.some((p) => p === name || p.endsWith(`/${name}`))) stale.add(name);
  }
  return stale;
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
    const newest = newestAttempts(legs.map((l) => l.manifest));
    // Where each collected file now lives, by its name inside the artifact.
    const placed = new Map<string, string>();
    const recorded = new Map<string, string>();
    for (const leg of legs) {
      const stale = supersededFiles(leg, newest);
      for (const name of leg.files) {
        if (stale.has(name)) continue;
        const dest = path.join(outputDir, ...name.split('/'));
        // Checked before any folder is made: a symlinked folder in output-dir must not take the file elsewhere.
        await checkInside(dest, outputDir, 'collect');
        await makeDirectories(path.dirname(dest));
        await rename(path.join(leg.dir, ...name.split('/')), dest);
        placed.set(name, dest);
      }
      for (const [name, sum] of leg.checksums ?? []) if (!stale.has(name)) recorded.set(name, sum);
    }
    // checksums.txt and the release name files by their base names: two of one name fail here.
    const byName = assetNames([...new Set(placed.values())], 'in checksums.txt and the release');
    // The manifest's paths are the legs' workspace paths; they end in the name inside the artifact.
    const collected = (p: string): string | undefined => {
      const name = [...placed.keys()]
        .filter((n) => p === n || p.endsWith(`/${n}`))
        .sort((a, b) => b.length - a.length)[0];
      return name === undefined ? undefined : placed.get(name);
    };
    // What is shipped must be a file collected here; a binary beside its archive was not
    // uploaded and keeps the leg's path, for the record only.
    const shipped = (p: string, a: ArtifactEntry): string => {
      const dest = collected(p);
      if (dest === undefined) {
        throw new Error(
          `A build leg's manifest names ${JSON.stringify(p)} for ${a.target}, which is no file any artifact of this run delivered; collect ships only the files it downloaded into output-dir ${outputDir}.`,
        );
      }
      return relativeToWorkspace(dest);
    };
    const kept = (p: string | null): string | null => {
      const dest = p === null ? undefined : collected(p);
      return dest === undefined ? p : relativeToWorkspace(dest);
    };
    const relocate = (a: ArtifactEntry): ArtifactEntry => {
      if (a.status !== 'ok') return { ...a, path: kept(a.path), archive: kept(a.archive) };
      return {
        ...a,
        path: a.archive === null && a.path !== null ? shipped(a.path, a) : kept(a.path),
        archive: a.archive === null ? null : shipped(a.archive, a),
        ...(a.sboms !== undefined ? { sboms: a.sboms.map((s) => shipped(s, a)) } : {}),
      };
    };
    // The service lists artifacts in no promised order; the leg holding the earliest requested
    // target counts as the first, so the merged header does not depend on upload timing.
    const rank = (m: Manifest) =>
      Math.min(
        req.requested.length,
        ...m.artifacts.map((a) => req.requested.indexOf(a.target)).filter((i) => i >= 0),
      );
    const ranked = legs.map((l) => l.manifest).sort((x, y) => rank(x) - rank(y));
    const merged = mergeManifests(ranked, req.requested);
    const artifacts = merged.manifest.artifacts.map(relocate);
    const checksummed: { path: string; sha256: string }[] = [];
    for (const [name, sum] of recorded) {
      const file = byName.get(name);
      if (file === undefined) continue; // built by a leg but not uploaded (the archive was)
      const actual = await sha256File(file);
      if (actual !== sum) {
        throw new Error(
          `${name} does not match the sha256 its build leg recorded (${sum}, got ${actual}): it changed after its leg hashed it; re-run that build leg, then this job`,
        );
      }
      checksummed.push({ path: file, sha256: sum });
    }
    const checksumsPath = legs.some((l) => l.checksums !== null)
      ? await writeChecksums(outputDir, checksummed)
      : null;
    const manifest: Manifest = {
      ...merged.manifest,
      checksums: checksumsPath === null ? null : relativeToWorkspace(checksumsPath),
      artifacts,
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

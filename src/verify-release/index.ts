// A release verified as its users receive it: every asset downloaded (or read from disk, for a
// build's output-dir), then checked against the release's manifest.json and checksums.txt, the
// binaries by the verifier, the SBOMs against the binaries' build info, the universal binary's
// slices against the darwin binaries.
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeClient } from '../github/client.js';
import type { Logger } from '../log.js';
import type { Manifest } from '../report/manifest.js';
import { MANIFEST_FILE } from '../report/manifest.js';
import { ReleaseApi } from '../release/remote.js';
import type { AssetRow, ReleaseVerification } from './types.js';
import { checkAssets } from './check.js';

export type { AssetRow, CheckState, ReleaseVerification } from './types.js';
export { renderVerification } from './table.js';

/** A published release (else the tag's draft) on GitHub. */
export interface ReleaseSource {
  kind: 'release';
  owner: string;
  repo: string;
  tag: string;
  token: string;
  /** GITHUB_API_URL; GitHub.com when absent. */
  apiUrl: string | undefined;
  /** First pause between attempts, as for the release step (GO_BUILD_MATRIX_API_RETRY_MS). */
  retryBaseMs: number;
}

/** A manifest on disk: the files it lists, where the build wrote them. */
export interface ManifestSource {
  kind: 'manifest';
  /** Absolute path of manifest.json. */
  file: string;
  /** Where relative paths are tried when the manifest's own place does not settle them. */
  cwd: string;
}

export interface VerifyReleaseRequest {
  source: ReleaseSource | ManifestSource;
  log: Logger;
}

/**
 * Verifies every asset; a mismatch is a row's problem, never an exception. Throws when the assets
 * cannot be had at all (no such release, GitHub refused, no manifest file).
 */
export async function verifyRelease(req: VerifyReleaseRequest): Promise<ReleaseVerification> {
  const { source } = req;
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'go-build-matrix-verify-'));
  try {
    const got =
      source.kind === 'release' ? await fromRelease(source, req.log, workDir) : await fromDisk(source);
    const rows = got.manifest === null ? [] : await checkAssets(got.manifest, got.assets, workDir);
    rows.push(...got.rows);
    return { subject: got.subject, ok: rows.every((r) => r.problems.length === 0), rows };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

interface Assets {
  subject: string;
  manifest: Manifest | null;
  /** Each asset by name: its file. */
  assets: Map<string, string>;
  /** Rows of the source's own (manifest.json on a release). */
  rows: AssetRow[];
}

/** Every asset downloaded into `workDir`, as a user downloads it. */
async function fromRelease(source: ReleaseSource, log: Logger, workDir: string): Promise<Assets> {
  const subject = `${source.owner}/${source.repo}@${source.tag}`;
  const client = await makeClient({
    token: source.token,
    baseUrl: source.apiUrl,
    retryBaseMs: source.retryBaseMs,
    onRateLimit: (message) => log.info(`Verify ${subject}: ${message}`),
  });
  const api = new ReleaseApi(client, { owner: source.owner, repo: source.repo }, log, source.retryBaseMs);
  const releases = await api.releasesOf(source.tag);
  const release = releases.find((r) => !r.draft) ?? releases[0];
  if (release === undefined)
    throw new Error(`${subject}: the repository has no release of tag ${source.tag}.`);
  const folder = path.join(workDir, 'assets');
  await mkdir(folder);
  const assets = new Map<string, string>();
  for (const asset of await api.listAssets(release.id)) {
    // GitHub keeps asset names to letters, digits and '._-+': a name is a file name.
    if (asset.state !== 'uploaded' || !/^[A-Za-z0-9._+-]+$/.test(asset.name) || /^\.+$/.test(asset.name))
      continue;
    const file = path.join(folder, asset.name);
    await writeFile(file, await api.bytesOf(asset));
    assets.set(asset.name, file);
  }
  log.info(
    `Verify ${subject}: downloaded ${assets.size} asset(s) of ${release.draft ? 'the draft' : 'the release'}.`,
  );
  const row: AssetRow = {
    asset: MANIFEST_FILE,
    target: null,
    checksum: '-',
    binary: '-',
    sbom: '-',
    slices: '-',
    problems: [],
    notes: [],
  };
  const manifestFile = assets.get(MANIFEST_FILE);
  let manifest: Manifest | null = null;
  if (manifestFile === undefined) {
    row.problems.push(
      'missing: a release of this tool carries its manifest, which says what every other asset must be; nothing else could be checked',
    );
  } else {
    try {
      manifest = parseManifest(await readFile(manifestFile, 'utf8'));
    } catch (err) {
      row.problems.push(`not a manifest of this tool: ${(err as Error).message}`);
    }
  }
  return { subject, manifest, assets, rows: [row] };
}

/**
 * The manifest's paths are relative to the workspace of the run that wrote it, and the manifest
 * lies in output-dir beside checksums.txt: the workspace is the manifest's folder less
 * checksums.txt's folder; without checksums, `cwd`.
 */
async function fromDisk(source: ManifestSource): Promise<Assets> {
  const manifest = parseManifest(await readFile(source.file, 'utf8'));
  const dir = path.dirname(source.file);
  const outputDir = manifest.checksums === null ? null : path.posix.dirname(manifest.checksums);
  const base =
    outputDir !== null &&
    !path.isAbsolute(outputDir) &&
    dir.split(path.sep).join('/').endsWith(`/${outputDir}`)
      ? dir.slice(0, dir.length - outputDir.length - 1)
      : source.cwd;
  const relative = manifest.artifacts
    .filter((a) => a.status === 'ok')
    .flatMap((a) => [a.archive ?? a.path, ...(a.sboms ?? [])]);
  if (manifest.checksums !== null) relative.push(manifest.checksums);
  const assets = new Map<string, string>();
  for (const rel of relative) {
    if (rel === null) continue;
    try {
      const file = path.resolve(base, rel);
      await access(file);
      assets.set(path.posix.basename(rel), file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return { subject: source.file, manifest, assets, rows: [] };
}

function parseManifest(text: string): Manifest {
  const manifest = JSON.parse(text) as Partial<Manifest>;
  if (manifest.schemaVersion !== 1 || !Array.isArray(manifest.artifacts))
    throw new Error('it has no schemaVersion 1 and artifacts');
  return manifest as Manifest;
}

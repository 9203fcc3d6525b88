// What the release tests share: real builds of the example module, a run of the release step
// through the real Octokit client against the GitHub stand-in, and reads of what the stand-in holds.
import { expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../../src/report/manifest.js';
import { releaseView } from '../../src/report/manifest.js';
import { MemoryLogger } from '../../src/log.js';
import type { HandOff, HandOffRequest } from '../../src/release/step.js';
import { handOff } from '../../src/release/step.js';
import type { GitHubStandIn } from '../support/github-api.js';
import { build, copyModule, tempDir } from '../support/engine.js';
import { REPO_ROOT, toolchain } from '../support/toolchains.js';

export interface Build {
  outputDir: string;
  manifest: Manifest;
  /** What the manifest's paths are relative to: '/' for a build, the copy's root for a copy. */
  baseDir: string;
}

export interface Run {
  log: MemoryLogger;
  result: HandOff | null;
  error: Error | null;
}

export type ReleaseOptions = Partial<HandOffRequest['options']> & {
  ref?: string;
  token?: string;
  missing?: string[];
};

export const sha256 = (bytes: Buffer | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A real build of examples/hello with an SBOM per binary; the version is linked in, so two versions differ in every binary. */
export async function buildHello(
  targets: string,
  version: string,
  extra: Record<string, string> = {},
): Promise<Build> {
  const dir = tempDir('release-src');
  copyModule(path.join(REPO_ROOT, 'examples', 'hello'), dir);
  const run = await build(toolchain('1.26'), {
    targets,
    'working-directory': dir,
    sbom: 'cyclonedx',
    version,
    ldflags: '-s -w -X main.version={version}',
    ...extra,
  });
  expect(run.manifest.artifacts.every((a) => a.status === 'ok')).toBe(true);
  return { outputDir: run.outputDir, manifest: run.manifest, baseDir: '/' };
}

/**
 * A copy of a build's output, so that a run may not change what another run publishes. The copy
 * lies at the same relative path under a root of its own, so its manifest (and the release's
 * manifest.json) is the same as the build's, as for a re-run in the same workspace.
 */
export function copyOf(b: Build): Build {
  const baseDir = tempDir('release-out');
  const outputDir = path.join(baseDir, path.relative(b.baseDir, b.outputDir));
  cpSync(b.outputDir, outputDir, { recursive: true });
  return { outputDir, manifest: b.manifest, baseDir };
}

export async function release(api: GitHubStandIn, b: Build, options: ReleaseOptions = {}): Promise<Run> {
  const log = new MemoryLogger();
  try {
    const result = await handOff({
      manifest: b.manifest,
      options: {
        outputDir: b.outputDir,
        release: options.release ?? 'true',
        releaseNotes: options.releaseNotes ?? 'auto',
        prerelease: options.prerelease ?? 'auto',
        makeLatest: options.makeLatest ?? 'true',
        // The publishing tests count requests; the verification has tests of its own.
        verifyRelease: options.verifyRelease ?? false,
        githubToken: options.token ?? api.token,
      },
      baseDir: b.baseDir,
      env: {
        GITHUB_REF: options.ref ?? 'refs/tags/v1.2.0',
        GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
        GITHUB_API_URL: api.url,
        GO_BUILD_MATRIX_API_RETRY_MS: '5',
      },
      log,
      missing: options.missing ?? [],
    });
    return { log, result, error: null };
  } catch (err) {
    return { log, result: null, error: err as Error };
  }
}

/** The release's assets as name → sha256. */
export function published(api: GitHubStandIn, tag = 'v1.2.0'): Record<string, string> {
  const r = api.release(tag);
  if (r === undefined) throw new Error(`no release ${tag}`);
  return Object.fromEntries(r.assets.map((a) => [a.name, sha256(a.bytes)]));
}

/**
 * What a release of this build must hold, read from output-dir independently of the release
 * code: every archive and SBOM the manifest lists, checksums.txt, by base name, and manifest.json.
 */
export function expected(b: Build): Record<string, string> {
  const wanted = new Set(
    b.manifest.artifacts
      .flatMap((a) => [a.archive ?? a.path, ...(a.sboms ?? [])])
      .flatMap((p) => (p === null ? [] : [path.resolve(b.baseDir, p)])),
  );
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (wanted.has(file) || name === 'checksums.txt') out[name] = sha256(readFileSync(file));
    }
  };
  walk(b.outputDir);
  out['manifest.json'] = sha256(releaseManifest(b));
  return out;
}

/** The manifest as the release carries it: the build's without this run's attempt, cache and times. */
export function releaseManifest(b: Build): Buffer {
  return Buffer.from(`${JSON.stringify(releaseView(b.manifest), null, 2)}\n`);
}

export const warnings = (log: MemoryLogger) =>
  log.lines.filter((l) => l.level === 'warning').map((l) => l.message);

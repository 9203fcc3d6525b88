// What the release tests share: real builds of the example module, a run of the release step
// through the real Octokit client against the GitHub stand-in, and reads of what the stand-in holds.
import { expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../../src/report/manifest.js';
import { MemoryLogger } from '../../src/log.js';
import type { HandOff, HandOffRequest } from '../../src/release/step.js';
import { handOff } from '../../src/release/step.js';
import type { GitHubStandIn } from '../support/github-api.js';
import { build, copyModule, tempDir } from '../support/engine.js';
import { REPO_ROOT, toolchain } from '../support/toolchains.js';

export interface Build {
  outputDir: string;
  manifest: Manifest;
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
  return { outputDir: run.outputDir, manifest: run.manifest };
}

/** A copy of a build's output, so that a run may not change what another run publishes. */
export function copyOf(b: Build): Build {
  const outputDir = tempDir('release-out');
  cpSync(b.outputDir, outputDir, { recursive: true });
  const rebase = (p: string | null) =>
    p === null ? null : path.join(outputDir, path.relative(b.outputDir, path.resolve('/', p)));
  return {
    outputDir,
    manifest: {
      ...b.manifest,
      checksums: rebase(b.manifest.checksums),
      artifacts: b.manifest.artifacts.map((a) => ({
        ...a,
        path: rebase(a.path),
        archive: rebase(a.archive),
        ...(a.sboms ? { sboms: a.sboms.map((s) => rebase(s) as string) } : {}),
      })),
    },
  };
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
        githubToken: options.token ?? api.token,
      },
      baseDir: '/',
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
 * code: every archive and SBOM the manifest lists, and checksums.txt, by base name.
 */
export function expected(b: Build): Record<string, string> {
  const wanted = new Set(
    b.manifest.artifacts
      .flatMap((a) => [a.archive ?? a.path, ...(a.sboms ?? [])])
      .flatMap((p) => (p === null ? [] : [path.resolve('/', p)])),
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
  return out;
}

export const warnings = (log: MemoryLogger) =>
  log.lines.filter((l) => l.level === 'warning').map((l) => l.message);

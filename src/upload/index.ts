// Uploads the built files as workflow artifacts with @actions/artifact: one per target or one
// for all, each with the manifest and checksums. Transient failures are retried; anything else
// throws, naming the artifact and what the service answered.
import type { DefaultArtifactClient } from '@actions/artifact';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { callClient } from '../cache/client-call.js';
import type { Logger } from '../log.js';
import { checkInside } from '../package/shipped.js';
import { formatBytes } from '../report/format.js';
import { validateArtifactName } from './names.js';

export { renderArtifactName, validateArtifactName } from './names.js';
export type { ArtifactNameFields } from './names.js';

export interface UploadTarget {
  artifactName: string;
  /** Absolute paths. */
  files: readonly string[];
}

export interface UploadRequest {
  mode: 'per-target' | 'combined' | 'false';
  /** output-dir: names inside artifacts are relative to it. */
  rootDirectory: string;
  /** per-target mode: one artifact each. */
  targets: readonly UploadTarget[];
  /** combined mode */
  combinedName: string;
  /** manifest.json, checksums.txt: added to every artifact (per-target) or once (combined). */
  sharedFiles: readonly string[];
  retentionDays: number | null;
  env: Readonly<Record<string, string | undefined>>;
  /** Attempts per artifact, and the first pause between them (doubling after each). */
  retry?: { attempts: number; delayMs: number };
  /** Per attempt; default 20 minutes (the client has no timeout on its service calls). */
  timeoutMs?: number;
}

export interface UploadedArtifact {
  name: string;
  id: number;
  size: number;
  digest: string | null;
}

export interface PlannedArtifact {
  name: string;
  files: string[];
}

const DEFAULT_RETRY = { attempts: 3, delayMs: 5000 };
const DEFAULT_TIMEOUT_MS = 20 * 60 * 1000;

/** Which artifacts to create with which files; throws on names or files the service would refuse. */
export function planArtifacts(req: UploadRequest): PlannedArtifact[] {
  const unique = (files: readonly string[]) => [...new Set(files)];
  const planned =
    req.mode === 'combined'
      ? [
          {
            name: req.combinedName,
            files: unique([...req.targets.flatMap((t) => t.files), ...req.sharedFiles]),
          },
        ]
      : req.mode === 'per-target'
        ? req.targets
            // A target without files of its own (it failed) still carries the manifest saying why.
            .filter((t) => t.files.length > 0 || req.sharedFiles.length > 0)
            .map((t) => ({ name: t.artifactName, files: unique([...t.files, ...req.sharedFiles]) }))
        : [];
  const seen = new Set<string>();
  for (const artifact of planned) {
    validateArtifactName(artifact.name);
    if (seen.has(artifact.name)) {
      throw new Error(
        `Two targets would upload the artifact ${JSON.stringify(artifact.name)}; make artifact-name distinct per target`,
      );
    }
    seen.add(artifact.name);
    for (const file of artifact.files) {
      const relative = path.relative(req.rootDirectory, file);
      if (!path.isAbsolute(file) || relative.startsWith('..') || path.isAbsolute(relative)) {
        throw new Error(
          `${file} is not inside ${req.rootDirectory}, so it cannot go into artifact ${artifact.name}`,
        );
      }
    }
  }
  return planned;
}

/** Errors worth another attempt: network trouble, the service's 5xx/429 after the client's own retries, stalls. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const permanentNames = [
    'ClientTimeoutError',
    'UsageError',
    'FilesNotFoundError',
    'GHESNotSupportedError',
    'InvalidTokenError',
  ];
  if (permanentNames.includes(error.name)) return false;
  if (/Received non-retryable error|Failed to get backend IDs|ACTIONS_RUNTIME_TOKEN/.test(error.message))
    return false;
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number') return status >= 500 || status === 408 || status === 429;
  return true;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function uploadArtifacts(req: UploadRequest, log: Logger): Promise<UploadedArtifact[]> {
  if (req.mode === 'false') return [];
  if (!req.env.ACTIONS_RUNTIME_TOKEN || !req.env.ACTIONS_RESULTS_URL) {
    log.info(
      `Not running in GitHub Actions (no ACTIONS_RUNTIME_TOKEN/ACTIONS_RESULTS_URL): not uploading artifacts; the files stay in ${req.rootDirectory}`,
    );
    return [];
  }
  const planned = planArtifacts(req);
  for (const file of new Set(planned.flatMap((a) => a.files))) {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) throw new Error(`Cannot upload ${file}: it is not a file`);
    // The client follows symlinks: one out of output-dir would upload what it points at.
    await checkInside(file, req.rootDirectory, 'upload');
  }
  // Loaded on first use: the client is most of the bundle, and the first `go` process should not wait for it.
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const client = new DefaultArtifactClient();
  const uploaded: UploadedArtifact[] = [];
  for (const artifact of planned) {
    const result = await uploadOne(client, artifact, req, log);
    log.info(
      `Uploaded artifact ${result.name} (${artifact.files.length} files, ${formatBytes(result.size)}, id ${result.id})`,
    );
    uploaded.push(result);
  }
  return uploaded;
}

async function uploadOne(
  client: DefaultArtifactClient,
  artifact: PlannedArtifact,
  req: UploadRequest,
  log: Logger,
): Promise<UploadedArtifact> {
  const { attempts, delayMs } = req.retry ?? DEFAULT_RETRY;
  const options = req.retentionDays === null ? {} : { retentionDays: req.retentionDays };
  for (let attempt = 1; ; attempt++) {
    const call = await callClient(
      `Uploading artifact ${artifact.name}`,
      req.env,
      req.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      () => client.uploadArtifact(artifact.name, artifact.files, req.rootDirectory, options),
    );
    const value = call.value;
    if (value?.id !== undefined) {
      return { name: artifact.name, id: value.id, size: value.size ?? 0, digest: value.digest ?? null };
    }
    const answer =
      call.error instanceof Error ? call.error.message : 'the service did not return an artifact id';
    if (!isTransient(call.error ?? new Error(answer)) || attempt >= attempts) {
      const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
      throw new Error(`Uploading artifact ${JSON.stringify(artifact.name)} failed${tries}: ${answer}`);
    }
    const pause = delayMs * 2 ** (attempt - 1);
    log.info(
      `Uploading artifact ${artifact.name} failed (attempt ${attempt} of ${attempts}): ${answer}; retrying in ${pause} ms`,
    );
    await sleep(pause);
  }
}

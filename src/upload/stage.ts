// The upload stage: the packaged files of every target, as artifacts named after artifact-name.
import path from 'node:path';
import type { Reported, Uploaded } from '../pipeline/context.js';
import { msFromEnv } from '../env-knobs.js';
import { renderArtifactName, uploadArtifacts } from './index.js';
import { DEFAULT_COMBINED_TEMPLATE, DEFAULT_PER_TARGET_TEMPLATE } from './names.js';

function retryOf(delayMs: number | undefined): { attempts: number; delayMs: number } | undefined {
  return delayMs === undefined ? undefined : { attempts: 3, delayMs };
}

/**
 * Uploads the packaged files (the archive when there is one, so the exec bit survives the
 * download) with the manifest and checksums. Records why the upload failed for good, if it did.
 */
export async function uploadStage(reported: Reported): Promise<Uploaded> {
  // Empty unless given: the artifact names of a plain build are the ones artifact-name promises.
  const artifactPrefix = reported.options.artifactPrefix ?? '';
  const sharedFiles = [reported.manifestPath, ...(reported.checksumsPath ? [reported.checksumsPath] : [])];
  const uploadError = await upload(reported, artifactPrefix, sharedFiles);
  return { ...reported, artifactPrefix, uploadError };
}

async function upload(reported: Reported, prefix: string, sharedFiles: string[]): Promise<string | null> {
  const { options, manifest, jobs, ctx } = reported;
  if (options.upload === 'false') return null;
  const template =
    options.artifactName ??
    (options.upload === 'combined' ? DEFAULT_COMBINED_TEMPLATE : DEFAULT_PER_TARGET_TEMPLATE);
  try {
    // A failed target's artifact carries only the manifest: a collect job then reports it as
    // failed, with the reason, even when every target of its leg failed.
    const targets = manifest.artifacts
      .filter((a) => a.status !== 'skipped')
      .map((a) => {
        const job = jobs.find((j) => j.target.id === a.target && j.package === a.package);
        return {
          artifactName:
            prefix +
            renderArtifactName(template, {
              name: a.name,
              goos: a.goos,
              goarch: a.goarch,
              variant: job?.variantSuffix ?? '',
            }),
          files: (a.status === 'ok' ? [a.archive ?? (a.path as string), ...(a.sboms ?? [])] : []).map((f) =>
            path.resolve(ctx.baseDir, f),
          ),
        };
      });
    const first = manifest.artifacts[0];
    await uploadArtifacts(
      {
        mode: options.upload,
        rootDirectory: options.outputDir,
        targets,
        combinedName:
          prefix +
          renderArtifactName(template, {
            name: first?.name ?? 'go-build-matrix',
            goos: '',
            goarch: '',
            variant: '',
          }),
        sharedFiles,
        retentionDays: options.retentionDays,
        env: ctx.env,
        retry: retryOf(msFromEnv(ctx.env, 'GO_BUILD_MATRIX_UPLOAD_RETRY_MS')),
      },
      ctx.log,
    );
    return null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    ctx.log.error(message, { title: 'upload' });
    return message;
  }
}

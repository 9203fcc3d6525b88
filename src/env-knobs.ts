/**
 * Timing knobs read from the environment rather than inputs (they tune the runner, not the
 * build): GO_BUILD_MATRIX_CACHE_TIMEOUT_MS bounds each cache call, GO_BUILD_MATRIX_UPLOAD_RETRY_MS
 * is the first pause between artifact upload attempts, GO_BUILD_MATRIX_API_RETRY_MS the first
 * pause between REST API attempts, GO_BUILD_MATRIX_SMOKE_TIMEOUT_MS bounds a smoke run.
 */
export function msFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): number | undefined {
  const value = env[name];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

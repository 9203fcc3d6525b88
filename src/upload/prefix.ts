// The artifact prefix: what every artifact a job uploads starts with, and the one filter of
// collect. Two calls of the reusable workflow in one run (two modules, or one module with two Go
// versions) must never take each other's artifacts, so the default depends on the module and on
// the call, which the reusable workflow describes in GO_BUILD_MATRIX_CALL (its `toJSON(inputs)`).
import { createHash } from 'node:crypto';

export const CALL_VARIABLE = 'GO_BUILD_MATRIX_CALL';

/**
 * `given`, else `<module's last path element>-<first 8 hex digits of the SHA-256 of the module
 * path, a newline and GO_BUILD_MATRIX_CALL>-`: `hello-1f0c2a9e-`. A major-version element
 * (`/v2`) is skipped, as Go skips it when naming the binary.
 */
export function artifactPrefix(
  given: string | null,
  modulePath: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  if (given !== null) return given;
  const elements = modulePath.split('/').filter((e) => e !== '');
  if (elements.length > 1 && /^v\d+$/.test(elements[elements.length - 1] ?? '')) elements.pop();
  const last = (elements[elements.length - 1] ?? 'module').replace(/[^A-Za-z0-9._~-]/g, '_');
  const hash = createHash('sha256')
    .update(`${modulePath}\n${env[CALL_VARIABLE] ?? ''}`)
    .digest('hex')
    .slice(0, 8);
  return `${last}-${hash}-`;
}

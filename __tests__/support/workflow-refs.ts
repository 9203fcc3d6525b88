// What the reusable workflow's `uses:` lines name, for act's `--local-repository` mappings: the
// action at this release's exact version and the third-party actions at their pinned SHAs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './toolchains.js';

const text = readFileSync(path.join(REPO_ROOT, '.github', 'workflows', 'go-build-matrix.yml'), 'utf8');

/** The `owner/name@ref` the reusable workflow uses for `owner/name`. */
export function usesOf(action: string): string {
  const ref = new RegExp(`uses: (${action.replace('/', '\\/')}@\\S+)`).exec(text)?.[1];
  if (ref === undefined) throw new Error(`go-build-matrix.yml uses no ${action}`);
  return ref;
}

/** `go-build-matrix/go-build-matrix@vX.Y.Z`, as the reusable workflow's steps name the action. */
export const ACTION_REF = usesOf('go-build-matrix/go-build-matrix');

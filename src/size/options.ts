// The size inputs as options.ts reads them.
import { statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../options/errors.js';
import type { SizeBaseline } from './baseline.js';

export { parseSizeBudget } from './budget.js';

/**
 * `auto` (the previous release), `off`, a path ending in `.json` (a manifest.json, relative to
 * the workspace or the current directory), else the tag of a release of the repository.
 */
export function parseSizeBaseline(value: string, baseDir: string): SizeBaseline {
  const text = value.trim();
  if (text === '' || text === 'auto') return { kind: 'auto' };
  if (text === 'off') return { kind: 'off' };
  if (text.endsWith('.json')) {
    const file = path.resolve(baseDir, text);
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch {
      // reported below
    }
    if (!isFile) {
      throw new InputError(
        'size-baseline',
        value,
        `${file} is not an existing file; give the manifest.json of an earlier build or release, a release tag, 'auto' or 'off'.`,
      );
    }
    return { kind: 'file', path: file, given: text };
  }
  // A tag as git allows it: no whitespace or any of ~^:?*[\, no '..', no part starting with '.', not ending in '/' or '.lock'.
  if (/[\s~^:?*[\\]/.test(text) || text.includes('..') || /(^|\/)\.|\/$|\.lock$/.test(text)) {
    throw new InputError(
      'size-baseline',
      value,
      "Use 'auto' (the previous release), 'off', the tag of a release (e.g. 'v1.2.0') or the path of a manifest.json.",
    );
  }
  return { kind: 'release', tag: text };
}

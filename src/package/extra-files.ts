import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { InputError } from '../options/errors.js';
import type { ArchiveEntry } from './archive.js';

/**
 * Resolves the `extra-files` glob lines (a leading `!` excludes) against the module directory
 * into archive entries (mode 0644, named by their path relative to that directory), sorted
 * for reproducibility. A line that matches nothing is an error: a missing LICENSE should not
 * ship silently; so is a match outside the module directory.
 */
export async function resolveExtraFiles(lines: readonly string[], baseDir: string): Promise<ArchiveEntry[]> {
  const found = new Set<string>();
  for (const line of lines) {
    const negated = line.startsWith('!');
    const pattern = negated ? line.slice(1) : line;
    const matches = await glob(pattern, {
      cwd: baseDir,
      onlyFiles: true,
      dot: true,
      expandDirectories: false,
    }).catch((err: Error) => {
      throw new InputError(
        'extra-files',
        line,
        `It is not a pattern the glob matcher accepts: ${err.message}`,
      );
    });
    if (negated) {
      for (const match of matches) found.delete(path.normalize(match));
      continue;
    }
    if (matches.length === 0)
      throw new InputError(
        'extra-files',
        line,
        `It matches no file under ${baseDir}.${oneGlobPerLine(line)}`,
      );
    for (const match of matches) {
      const real = await realpath(path.resolve(baseDir, match));
      const inside = path.relative(await realpath(baseDir), real);
      if (inside.startsWith('..') || path.isAbsolute(inside)) {
        const leads = real === path.resolve(baseDir, match) ? '' : ` (a symlink to ${real})`;
        throw new InputError(
          'extra-files',
          line,
          `It matches ${match}${leads}, which is outside ${baseDir}; name only files inside working-directory, and copy a file in rather than link to it.`,
        );
      }
      found.add(path.normalize(match));
    }
  }
  return [...found]
    .map((relative) => ({
      name: relative.split(path.sep).join('/'),
      source: path.resolve(baseDir, relative),
      mode: 0o644,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A line that holds several names is most likely a list written on one line: show the split. */
function oneGlobPerLine(line: string): string {
  const words = line.split(/\s+/).filter((w) => w !== '');
  if (words.length < 2) return '';
  return ` Entries go one glob per line, so this is one pattern with spaces in it; as ${words.length} entries it is ${words.map((w) => JSON.stringify(w)).join(', ')}, each on a line of its own (on the command line: ${words.map((w) => `--extra-files '${w}'`).join(' ')}).`;
}

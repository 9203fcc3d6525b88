// What a cache entry holds of each directory, as the glob patterns @actions/cache is given. The
// patterns are part of the entry's version, so restore and save must pass the same strings. They
// name the directory's children rather than the directory: the client hands tar what the glob
// matched, and tar takes a matched directory whole, so only a pattern that matches a child can
// leave that child out. (It also keeps entries of earlier versions of this action, which hold
// paths relative to the workspace, from ever being extracted into a staging directory.)
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { directorySize } from './gocache.js';

export type CacheName = 'GOMODCACHE' | 'GOCACHE';

/** Left out, relative to the cache directory; `*` stands for any rest of the name. */
const EXCLUDED: Record<CacheName, readonly string[]> = {
  // Go toolchains GOTOOLCHAIN downloads (~250 MB each, extracted and zipped): a restore would
  // rewrite one another job may be running, and the proxy serves them anyway.
  GOMODCACHE: ['golang.org/toolchain@*', 'cache/download/golang.org/toolchain'],
  // The fuzzing corpus is written by `go test -fuzz` only, never by a build.
  GOCACHE: ['fuzz'],
};

export function cachePaths(name: CacheName, dir: string): string[] {
  const patterns = [`${dir}/*`];
  for (const excluded of EXCLUDED[name]) {
    // Every ancestor of an excluded path is taken apart into its children, then the path is left out.
    const parts = excluded.split('/');
    for (let i = 1; i < parts.length; i++) {
      const ancestor = `${dir}/${parts.slice(0, i).join('/')}`;
      if (!patterns.includes(`!${ancestor}`)) patterns.push(`!${ancestor}`, `${ancestor}/*`);
    }
    patterns.push(`!${dir}/${excluded}`);
  }
  return patterns;
}

/** The size of what `cachePaths` selects in `dir`. */
export async function selectedSize(name: CacheName, dir: string): Promise<number> {
  let size = await directorySize(dir);
  for (const excluded of EXCLUDED[name]) {
    const parent = path.join(dir, path.dirname(excluded));
    const pattern = path.basename(excluded);
    const names = await readdir(parent).catch(() => []);
    for (const n of names) {
      const matches = pattern.endsWith('*') ? n.startsWith(pattern.slice(0, -1)) : n === pattern;
      if (matches) size -= await directorySize(path.join(parent, n));
    }
  }
  return size;
}

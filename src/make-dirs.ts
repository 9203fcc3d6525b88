import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * `mkdir -p` that always ends: Node's recursive mkdir loops forever when the kernel answers
 * ENOENT for a path whose parent exists (procfs, sysfs, some FUSE mounts; Node 20 and 24). This
 * finds the deepest existing ancestor, then creates each missing directory on its own, so any
 * refusal surfaces as that call's error.
 */
export async function makeDirectories(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const info = await stat(at).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (info !== null) {
      if (!info.isDirectory()) {
        throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), {
          code: 'ENOTDIR',
          path: at,
        });
      }
      break;
    }
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const at of missing) {
    await mkdir(at).catch((err: NodeJS.ErrnoException) => {
      // Another process (a parallel target, a second job) may have made it meanwhile.
      if (err.code !== 'EEXIST') throw err;
    });
  }
}

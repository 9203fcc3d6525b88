// What every file we ship (upload, release, checksum, attest, relocate) must be: inside
// output-dir once symlinks are followed, and known by its base name alone, as a download names
// it, which no other file of the build may share.
import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** `file` with the symlinks of its existing part followed (a file yet to be written: its folder's). */
async function resolved(file: string): Promise<string> {
  let rest = '';
  for (let at = path.resolve(file); ; at = path.dirname(at)) {
    try {
      return path.join(await realpath(at), rest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(at) === at) throw err;
      rest = path.join(path.basename(at), rest);
    }
  }
}

/** Throws naming the file, where it leads and output-dir unless it lies inside output-dir, symlinks followed. */
export async function checkInside(file: string, outputDir: string, verb: string): Promise<void> {
  const [real, root] = await Promise.all([resolved(file), resolved(outputDir)]);
  const relative = path.relative(root, real);
  if (relative !== '' && !path.isAbsolute(relative) && relative.split(path.sep)[0] !== '..') return;
  const where = real === path.resolve(file) ? 'it is' : `it resolves to ${real}, which is`;
  throw new Error(
    `Refusing to ${verb} ${file}: ${where} outside output-dir ${outputDir}; only files inside output-dir (symlinks followed) are shipped.`,
  );
}

/**
 * Each file by the name a download gives it, its base name. Two files of one name would
 * overwrite each other there: refused, naming both.
 */
export function assetNames(files: readonly string[], where: string): Map<string, string> {
  const byName = new Map<string, string>();
  for (const file of files) {
    const name = path.basename(file);
    const other = byName.get(name);
    if (other !== undefined && other !== file) {
      throw new Error(
        `Two files of this build would both be called ${JSON.stringify(name)} ${where} (${other} and ${file}), which names files without their folders; give them distinct file names with 'name-template'.`,
      );
    }
    byName.set(name, file);
  }
  return byName;
}

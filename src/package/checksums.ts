import { writeFile } from 'node:fs/promises';
import path from 'node:path';

export const CHECKSUMS_FILE = 'checksums.txt';

/**
 * Writes checksums.txt in the format `sha256sum -c` reads: `<hex>  <name>` per line, names
 * relative to output-dir (where the command is run), sorted so the file is reproducible.
 */
export async function writeChecksums(
  outputDir: string,
  files: readonly { path: string; sha256: string }[],
): Promise<string> {
  const lines = files
    .map((f) => ({ name: path.relative(outputDir, f.path).split(path.sep).join('/'), sha256: f.sha256 }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.name}\n`);
  const dest = path.join(outputDir, CHECKSUMS_FILE);
  await writeFile(dest, lines.join(''));
  return dest;
}

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assetNames, checkInside } from './shipped.js';

export const CHECKSUMS_FILE = 'checksums.txt';

/**
 * Writes checksums.txt in the format `sha256sum -c` reads: `<hex>  <name>` per line, each file
 * by its base name, as the release and a download name it (so it is checked where the assets
 * were downloaded to), sorted so the file is reproducible.
 */
export async function writeChecksums(
  outputDir: string,
  files: readonly { path: string; sha256: string }[],
): Promise<string> {
  const dest = path.join(outputDir, CHECKSUMS_FILE);
  // checksums.txt itself takes part: no file may go by its name.
  assetNames([...files.map((f) => f.path), dest], 'in checksums.txt');
  for (const f of files) await checkInside(f.path, outputDir, 'list in checksums.txt');
  const lines = files
    .map((f) => ({ name: path.basename(f.path), sha256: f.sha256 }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.name}\n`);
  await writeFile(dest, lines.join(''));
  return dest;
}

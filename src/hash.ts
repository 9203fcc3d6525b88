import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The file's sha256 in hex, streamed (archives and binaries can be large). */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

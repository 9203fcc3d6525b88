import type { ArchiveEntry, ArchiveKind } from './archive.js';
import { writeArchive } from './archive.js';

export { archiveKind } from './archive.js';
export type { ArchiveEntry, ArchiveKind } from './archive.js';
export { writeChecksums, CHECKSUMS_FILE } from './checksums.js';
export { resolveExtraFiles } from './extra-files.js';
export { writeUniversal } from './universal.js';

export interface Archived {
  /** Absolute path of the archive. */
  readonly path: string;
  readonly sha256: string;
}

/** `dist/app-windows-amd64.exe` → `dist/app-windows-amd64.zip`: the archive is named like the binary, without its extension. */
export function archivePath(binary: string, extension: string, kind: ArchiveKind): string {
  const base = extension !== '' && binary.endsWith(extension) ? binary.slice(0, -extension.length) : binary;
  return `${base}.${kind}`;
}

/**
 * Archives one binary (`bytes`, the contents of `binary`) under the name users expect (`app`, `app.exe`), mode 0755, followed by
 * the extra files, every entry dated `mtime` (the commit date) so rebuilds give the same bytes.
 */
export async function archiveBinary(
  binary: string,
  bytes: Buffer,
  nameInside: string,
  extension: string,
  kind: ArchiveKind,
  extra: readonly ArchiveEntry[],
  mtime: Date,
): Promise<Archived> {
  const clash = extra.find((e) => e.name === nameInside);
  if (clash) {
    throw new Error(
      `extra-files: ${clash.source} would replace the binary ${nameInside} in the archive; rename that file, or leave it out of 'extra-files'`,
    );
  }
  const dest = archivePath(binary, extension, kind);
  const sha256 = await writeArchive(
    kind,
    dest,
    [{ name: nameInside, source: bytes, mode: 0o755 }, ...extra],
    mtime,
  );
  return { path: dest, sha256 };
}

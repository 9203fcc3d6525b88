// SBOMs of built binaries, made from the build info each binary carries (not from go.mod): what
// was really linked, for the target it was built for. CycloneDX only: no maintained npm package
// ships the SPDX 2.3 JSON schema to validate an SPDX document against.
import { writeFile } from 'node:fs/promises';
import { readGoBuilds } from './buildinfo.js';
import type { VulncheckFindings } from './cyclonedx.js';
import { cycloneDx } from './cyclonedx.js';

export type SbomFormat = 'cyclonedx';

export const SBOM_SUFFIX: Record<SbomFormat, string> = { cyclonedx: '.cdx.json' };

const WRITERS: Record<SbomFormat, typeof cycloneDx> = { cyclonedx: cycloneDx };

export interface SbomSubject {
  /** Absolute path of the binary (a macOS universal binary is described slice by slice). */
  file: string;
  /** The target id as the manifest entry names it, e.g. 'linux/arm/7' or 'darwin/universal'. */
  target: string;
  /** sha256 hex of the file (already computed by the engine). */
  sha256: string;
  /** What govulncheck found in it, for the document's `vulnerabilities`; absent when not scanned. */
  vulncheck?: VulncheckFindings;
}

export interface SbomContext {
  tool: { name: string; version: string };
  /** The commit date: the document timestamp, so a re-run writes the same bytes. */
  timestamp: Date;
}

/**
 * Writes `<file><suffix>` for each format next to the binary; returns the written paths in format
 * order. Throws an Error whose message names the file when the binary carries no readable build info.
 */
export async function writeSboms(
  subject: SbomSubject,
  formats: readonly SbomFormat[],
  ctx: SbomContext,
): Promise<string[]> {
  if (formats.length === 0) return [];
  const builds = await readGoBuilds(subject.file);
  const written: string[] = [];
  for (const format of formats) {
    const dest = `${subject.file}${SBOM_SUFFIX[format]}`;
    await writeFile(dest, WRITERS[format](subject, builds, ctx));
    written.push(dest);
  }
  return written;
}

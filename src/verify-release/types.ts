// The verdict of a release verification: one row per asset.

/** ok, FAILED, or '-' where the check does not apply to the asset (or could not be made). */
export type CheckState = 'ok' | 'FAILED' | '-';

export interface AssetRow {
  asset: string;
  /** The target the manifest gives the asset; null for checksums.txt, the manifest and unknown files. */
  target: string | null;
  checksum: CheckState;
  binary: CheckState;
  sbom: CheckState;
  slices: CheckState;
  problems: string[];
  /** What was not checked, and why (an asset this build did not make). */
  notes: string[];
}

export interface ReleaseVerification {
  /** OWNER/REPO@TAG, or the manifest's path. */
  subject: string;
  ok: boolean;
  rows: AssetRow[];
}

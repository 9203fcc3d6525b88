import type { SigningRecord, VerifyRecord } from './manifest.js';

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} ${units[0]}` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatSeconds(seconds: number | null): string {
  return seconds === null ? '–' : `${seconds.toFixed(1)} s`;
}

/** The oldest OS the file says it runs on, "macOS 13.0+"; null when unknown (manifests from before floors, too). */
export function formatFloor(verify: VerifyRecord | null): string | null {
  return verify?.floor == null ? null : `${verify.floor.release}+`;
}

/** "signature: adhoc", "signature: invalid (page 3 differs)"; null for formats without signatures and older manifests. */
export function formatSignature(verify: VerifyRecord | null): string | null {
  return verify?.signature == null ? null : `signature: ${verify.signature.summary}`;
}

/** `authenticode by osslsigncode 2.9: subject …, issuer …, serial …, timestamp …`. */
export function describeSigning(r: SigningRecord): string {
  const team = r.team === undefined ? '' : `, team ${r.team}`;
  const notarized = r.notarization == null ? '' : `, notarization ${r.notarization}`;
  return `${r.kind} by ${r.tool}: subject ${r.subject}, issuer ${r.issuer}, serial ${r.serial}${team}${notarized}, ${r.timestamp === null ? 'not timestamped' : `timestamp ${r.timestamp} (${r.timestampUrl ?? ''})`}; sha256 ${r.unsignedSha256} unsigned, ${r.sha256} signed`;
}

// The Windows signing inputs, checked without ever repeating a secret: an error shows a secret's
// length, never its value (the runner masks it, but a CLI terminal and a log file would not).
import { InputError } from '../options/errors.js';

export interface WindowsSigning {
  /** The PKCS#12 bytes, decoded from the input's base64. */
  readonly certificate: Buffer;
  readonly password: string;
  readonly timestampUrl: string | null;
}

/** How an error shows a secret: never its value. */
export function secretShown(value: string): string {
  return `(secret, ${value.length} characters)`;
}

export function parseWindowsSigning(
  certificateText: string,
  password: string,
  timestampText: string,
): WindowsSigning | null {
  const base64 = certificateText.replace(/\s+/g, '');
  const timestamp = timestampText.trim();
  if (base64 === '') {
    if (password !== '')
      throw new InputError(
        'windows-certificate-password',
        secretShown(password),
        "It is the password of 'windows-certificate', which is not set; set both from secrets, or neither.",
      );
    if (timestamp !== '')
      throw new InputError(
        'windows-timestamp-url',
        timestamp,
        "It timestamps Authenticode signatures, and nothing is signed without 'windows-certificate'; set that too, or leave this empty.",
      );
    return null;
  }
  const certificate = Buffer.from(base64, 'base64');
  // Node decodes leniently; a value that does not round-trip was not base64 (a path, a PEM file).
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || certificate.toString('base64') !== base64)
    throw new InputError(
      'windows-certificate',
      secretShown(base64),
      "It must be the base64 of a PKCS#12 (.pfx) file, e.g. the secret made by 'base64 -w0 cert.pfx'.",
    );
  return { certificate, password, timestampUrl: timestamp === '' ? null : timestampUrl(timestamp) };
}

function timestampUrl(text: string): string {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    // reported below
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new InputError(
      'windows-timestamp-url',
      text,
      "It must be the http(s) URL of an RFC 3161 timestamp server, such as 'http://timestamp.digicert.com'.",
    );
  return text;
}

// The macOS signing inputs: a Developer ID certificate (base64 PKCS#12) and its password, and
// optionally an App Store Connect API key for notarization. Checked without repeating a secret.
import { InputError } from '../options/errors.js';
import { secretShown } from './windows-inputs.js';

export interface MacosNotary {
  /** The .p8 key's PEM text. */
  readonly key: string;
  readonly keyId: string;
  readonly issuer: string;
}

export interface MacosSigning {
  /** The PKCS#12 bytes, decoded from the input's base64. */
  readonly certificate: Buffer;
  readonly password: string;
  /** Notarization after signing; null without 'macos-notary-key'. */
  readonly notary: MacosNotary | null;
}

export interface MacosSigningInputs {
  readonly certificate: string;
  readonly password: string;
  readonly notaryKey: string;
  readonly notaryKeyId: string;
  readonly notaryIssuer: string;
}

/** App Store Connect API key IDs: ten upper-case letters and digits. */
const KEY_ID = /^[A-Z0-9]{10}$/;
/** The issuer ID is a UUID. */
const ISSUER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseMacosSigning(given: MacosSigningInputs): MacosSigning | null {
  const base64 = given.certificate.replace(/\s+/g, '');
  const notary = parseNotary(given);
  if (base64 === '') {
    if (given.password !== '')
      throw new InputError(
        'macos-certificate-password',
        secretShown(given.password),
        "It is the password of 'macos-certificate', which is not set; set both from secrets, or neither.",
      );
    if (notary !== null)
      throw new InputError(
        'macos-notary-key',
        secretShown(given.notaryKey),
        "Apple notarizes only files signed with a Developer ID certificate, and 'macos-certificate' is not set; set it and 'macos-certificate-password' too, or leave the notary inputs empty.",
      );
    return null;
  }
  const certificate = Buffer.from(base64, 'base64');
  // Node decodes leniently; a value that does not round-trip was not base64 (a path, a PEM file).
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || certificate.toString('base64') !== base64)
    throw new InputError(
      'macos-certificate',
      secretShown(base64),
      "It must be the base64 of a PKCS#12 (.p12) file holding the Developer ID Application certificate and its key, e.g. the secret made by 'base64 -w0 developer-id.p12'.",
    );
  return { certificate, password: given.password, notary };
}

/** All three notary inputs or none; the key as base64 of the .p8 file (its PEM text is taken too). */
function parseNotary(given: MacosSigningInputs): MacosNotary | null {
  const keyText = given.notaryKey.trim();
  const keyId = given.notaryKeyId.trim();
  const issuer = given.notaryIssuer.trim();
  if (keyText === '' && keyId === '' && issuer === '') return null;
  if (keyText === '')
    throw new InputError(
      keyId === '' ? 'macos-notary-issuer' : 'macos-notary-key-id',
      keyId === '' ? issuer : keyId,
      "It names the App Store Connect API key that notarizes, and 'macos-notary-key' is not set; set all three notary inputs, or none.",
    );
  const pem = keyText.includes('-----BEGIN')
    ? keyText
    : Buffer.from(keyText.replace(/\s+/g, ''), 'base64').toString('latin1');
  if (!/-----BEGIN (EC )?PRIVATE KEY-----[\s\S]+-----END (EC )?PRIVATE KEY-----/.test(pem))
    throw new InputError(
      'macos-notary-key',
      secretShown(keyText),
      "It must be the base64 of the App Store Connect API key file (AuthKey_XXXXXXXXXX.p8, a PEM 'PRIVATE KEY'), e.g. the secret made by 'base64 -w0 AuthKey_XXXXXXXXXX.p8'.",
    );
  if (!KEY_ID.test(keyId))
    throw new InputError(
      'macos-notary-key-id',
      keyId,
      "It must be the API key's ID, ten upper-case letters and digits as App Store Connect shows it (the XXXXXXXXXX of AuthKey_XXXXXXXXXX.p8).",
    );
  if (!ISSUER.test(issuer))
    throw new InputError(
      'macos-notary-issuer',
      issuer,
      "It must be the issuer ID App Store Connect shows above its API keys, a UUID such as '57246542-96fe-1a63-e053-0824d011072a'.",
    );
  return { key: pem, keyId, issuer };
}

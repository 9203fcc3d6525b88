// PE Authenticode check: is a signature there (the Certificate Table, WIN_CERTIFICATE), and does the image
// digest it signed match the file? The digest is Microsoft's "Authenticode PE image hash": every byte up to
// the certificate table except the CheckSum field and the Certificate Table entry. The signed digest lies in
// the PKCS#7 SignedData's SpcIndirectDataContent; the signer's messageDigest attribute must match that
// content (cms.ts), so the digest cannot be swapped under the signature. Certificates and the RSA/ECDSA
// signature itself are not judged here (that needs the signer's trust roots).
import { createHash } from 'node:crypto';
import { checkMessageDigest, digestName, signedDataFields } from './cms.js';
import { CONTEXT_0, OCTET_STRING, OID, SEQUENCE, child, contents, oid } from './der.js';
import type { PeInfo } from './pe.js';
import { InvalidSignature, NO_SIGNATURE, judged } from './signature.js';
import type { ByteSource } from './source.js';
import { FormatError, readAt } from './source.js';
import type { Signature } from './types.js';

const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 2;
const MAX_TABLE = 16 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const SPC_INDIRECT_DATA = '1.3.6.1.4.1.311.2.1.4';

/** The verdict on a PE file's Authenticode signature; never throws on bad bytes. */
export async function checkAuthenticode(src: ByteSource, pe: PeInfo): Promise<Signature> {
  const { table, entryAt, checksumAt } = pe.authenticode;
  if (table === null || entryAt === null) return NO_SIGNATURE;
  return judged('the Authenticode signature', async () => {
    const { algorithm, digest } = await signedDigest(src, table);
    const actual = await imageHash(src, algorithm, checksumAt, entryAt, table.offset);
    if (!actual.equals(digest)) {
      throw new InvalidSignature(
        'Authenticode digest differs',
        `the Authenticode signature signs a ${algorithm} image digest of ${digest.toString('hex')} but the file's is ${actual.toString('hex')}: the file changed after it was signed`,
      );
    }
    return {
      ...NO_SIGNATURE,
      kind: 'authenticode',
      summary: `authenticode (${algorithm} digest matches)`,
      hash: algorithm,
    };
  });
}

/** Reads the first PKCS#7 WIN_CERTIFICATE and returns the image digest it signs. */
async function signedDigest(
  src: ByteSource,
  table: { offset: number; size: number },
): Promise<{ algorithm: string; digest: Buffer }> {
  if (table.size > MAX_TABLE || table.size < 8)
    throw new InvalidSignature('unreadable', `the certificate table claims ${table.size} bytes`);
  if (table.offset + table.size !== src.size) {
    throw new InvalidSignature(
      'not at the end',
      `the certificate table (${table.size} bytes at ${table.offset}) does not end the ${src.size}-byte file: bytes after it are not signed`,
    );
  }
  const raw = await readAt(src, table.offset, table.size, 'the PE certificate table');
  const length = raw.readUInt32LE(0);
  const type = raw.readUInt16LE(6);
  if (length < 8 || length > raw.length)
    throw new InvalidSignature(
      'unreadable',
      `the WIN_CERTIFICATE claims ${length} bytes of the table's ${raw.length}`,
    );
  if (type !== WIN_CERT_TYPE_PKCS_SIGNED_DATA)
    throw new InvalidSignature(
      'not PKCS#7',
      `the WIN_CERTIFICATE is of type ${type}, not PKCS#7 SignedData (2)`,
    );
  const der = raw.subarray(8, length);
  const fields = signedDataFields(der);
  const encap = fields[2];
  if (encap?.tag !== SEQUENCE) throw new FormatError('the SignedData has no content info');
  if (oid(der, child(der, encap, 0, OID, 'the signed content type')) !== SPC_INDIRECT_DATA)
    throw new InvalidSignature('not Authenticode', 'the signed content is not SpcIndirectDataContent');
  const spc = child(
    der,
    child(der, encap, 1, CONTEXT_0, 'the signed content'),
    0,
    SEQUENCE,
    'SpcIndirectDataContent',
  );
  const digestInfo = child(der, spc, 1, SEQUENCE, 'the signed DigestInfo');
  const algorithm = digestName(
    der,
    child(der, child(der, digestInfo, 0, SEQUENCE, 'the digest algorithm'), 0, OID, 'the digest algorithm'),
  );
  const digest = contents(der, child(der, digestInfo, 1, OCTET_STRING, 'the signed digest'));
  // Authenticode digests SpcIndirectDataContent's contents, without its tag and length.
  checkMessageDigest(der, fields, contents(der, spc), 'the signed content');
  return { algorithm, digest };
}

/** The Authenticode PE image hash: [0, end) less the CheckSum field and the Certificate Table entry. */
async function imageHash(
  src: ByteSource,
  algorithm: string,
  checksumAt: number,
  entryAt: number,
  end: number,
): Promise<Buffer> {
  if (!(checksumAt + 4 <= entryAt && entryAt + 8 <= end))
    throw new InvalidSignature('unreadable', 'the PE headers overlap the certificate table');
  const hash = createHash(algorithm);
  for (const [from, to] of [
    [0, checksumAt],
    [checksumAt + 4, entryAt],
    [entryAt + 8, end],
  ] as const) {
    for (let at = from; at < to; at += CHUNK)
      hash.update(await readAt(src, at, Math.min(CHUNK, to - at), 'the signed part of the PE file'));
  }
  return hash.digest();
}

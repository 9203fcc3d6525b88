// PE Authenticode check: is a signature there (the Certificate Table, WIN_CERTIFICATE), and does the image
// digest it signed match the file? The digest is Microsoft's "Authenticode PE image hash": every byte up to
// the certificate table except the CheckSum field and the Certificate Table entry. The signed digest lies in
// the PKCS#7 SignedData's SpcIndirectDataContent; the signer's messageDigest attribute must match that
// content, so the digest cannot be swapped under the signature. Certificates and the RSA/ECDSA signature
// itself are not judged here (that needs the signer's trust roots).
import { createHash } from 'node:crypto';
import { CONTEXT_0, OCTET_STRING, OID, SEQUENCE, SET, child, children, contents, oid, tlv } from './der.js';
import type { Tlv } from './der.js';
import type { PeInfo } from './pe.js';
import { InvalidSignature, NO_SIGNATURE, judged } from './signature.js';
import type { ByteSource } from './source.js';
import { FormatError, readAt } from './source.js';
import type { Signature } from './types.js';

const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 2;
const MAX_TABLE = 16 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const SIGNED_DATA = '1.2.840.113549.1.7.2';
const SPC_INDIRECT_DATA = '1.3.6.1.4.1.311.2.1.4';
const MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.2.5': 'md5',
};

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
  const contentInfo = tlv(der, 0);
  if (contentInfo.tag !== SEQUENCE) throw new FormatError('the signature is not a DER ContentInfo');
  if (oid(der, child(der, contentInfo, 0, OID, 'the ContentInfo type')) !== SIGNED_DATA)
    throw new InvalidSignature('not PKCS#7', 'the WIN_CERTIFICATE does not hold PKCS#7 SignedData');
  const wrapped = child(der, contentInfo, 1, CONTEXT_0, 'the SignedData');
  const signedData = child(der, wrapped, 0, SEQUENCE, 'the SignedData');
  const parts = children(der, signedData);
  const encap = parts[2];
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
  checkMessageDigest(der, parts.at(-1), contents(der, spc));
  return { algorithm, digest };
}

function digestName(der: Buffer, t: Tlv): string {
  const id = oid(der, t);
  const name = DIGESTS[id];
  if (!name) throw new InvalidSignature('unknown digest', `the signature uses digest algorithm ${id}`);
  return name;
}

/** The one SignerInfo's messageDigest attribute must be the digest of SpcIndirectDataContent's contents. */
function checkMessageDigest(der: Buffer, signerInfos: Tlv | undefined, content: Buffer): void {
  if (signerInfos?.tag !== SET) throw new FormatError('the SignedData has no signer infos');
  const [signer, more] = children(der, signerInfos);
  if (!signer || more) throw new InvalidSignature('signers', 'the SignedData must have exactly one signer');
  const fields = children(der, signer);
  const algorithm = digestName(
    der,
    child(der, expectSeq(fields[2]), 0, OID, "the signer's digest algorithm"),
  );
  const attrs = fields[3];
  if (attrs?.tag !== CONTEXT_0)
    throw new InvalidSignature('no signed attributes', 'the signer has no signed attributes');
  for (const attr of children(der, attrs)) {
    if (attr.tag !== SEQUENCE || oid(der, child(der, attr, 0, OID, 'an attribute type')) !== MESSAGE_DIGEST)
      continue;
    const value = contents(
      der,
      child(der, child(der, attr, 1, SET, 'the messageDigest'), 0, OCTET_STRING, 'the messageDigest'),
    );
    if (!createHash(algorithm).update(content).digest().equals(value))
      throw new InvalidSignature(
        'content differs',
        "the signer's messageDigest does not match the signed content",
      );
    return;
  }
  throw new InvalidSignature('no message digest', 'the signer has no messageDigest attribute');
}

function expectSeq(t: Tlv | undefined): Tlv {
  if (t?.tag !== SEQUENCE) throw new FormatError('the signer info is malformed');
  return t;
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

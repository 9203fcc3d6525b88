// The parts of a CMS / PKCS#7 SignedData both signature checks read: its fields, and the signer's
// messageDigest attribute, which binds the signature to the content it signs (Authenticode's
// SpcIndirectDataContent, or a Mach-O CodeDirectory for a detached Apple signature).
import { createHash } from 'node:crypto';
import { CONTEXT_0, OCTET_STRING, OID, SEQUENCE, SET, child, children, contents, oid, tlv } from './der.js';
import type { Tlv } from './der.js';
import { InvalidSignature } from './signature.js';
import { FormatError } from './source.js';

const SIGNED_DATA = '1.2.840.113549.1.7.2';
const MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.2.5': 'md5',
};

/** The fields of the SignedData in a DER ContentInfo: version, digest algorithms, content info, … signer infos. */
export function signedDataFields(der: Buffer): Tlv[] {
  const contentInfo = tlv(der, 0);
  if (contentInfo.tag !== SEQUENCE) throw new FormatError('the signature is not a DER ContentInfo');
  if (oid(der, child(der, contentInfo, 0, OID, 'the ContentInfo type')) !== SIGNED_DATA)
    throw new InvalidSignature('not PKCS#7', 'the signature does not hold PKCS#7 SignedData');
  const wrapped = child(der, contentInfo, 1, CONTEXT_0, 'the SignedData');
  return children(der, child(der, wrapped, 0, SEQUENCE, 'the SignedData'));
}

/** Node's name of the digest algorithm an AlgorithmIdentifier's OID names. */
export function digestName(der: Buffer, t: Tlv): string {
  const id = oid(der, t);
  const name = DIGESTS[id];
  if (!name) throw new InvalidSignature('unknown digest', `the signature uses digest algorithm ${id}`);
  return name;
}

/** The one signer's messageDigest attribute must be the digest of `content`. */
export function checkMessageDigest(der: Buffer, fields: Tlv[], content: Buffer, what: string): void {
  const signerInfos = fields.at(-1);
  if (signerInfos?.tag !== SET) throw new FormatError('the SignedData has no signer infos');
  const [signer, more] = children(der, signerInfos);
  if (!signer || more) throw new InvalidSignature('signers', 'the SignedData must have exactly one signer');
  const info = children(der, signer);
  const digestAlgorithm = info[2];
  if (digestAlgorithm?.tag !== SEQUENCE) throw new FormatError('the signer info is malformed');
  const algorithm = digestName(der, child(der, digestAlgorithm, 0, OID, "the signer's digest algorithm"));
  const attrs = info[3];
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
      throw new InvalidSignature('content differs', `the signer's messageDigest does not match ${what}`);
    return;
  }
  throw new InvalidSignature('no message digest', 'the signer has no messageDigest attribute');
}

// The few DER steps the Authenticode check needs: a tag-length-value and the children of a constructed one.
// Every length is checked against the enclosing value, so a hostile blob ends in a FormatError, never an
// out-of-range read; nothing recurses, so nesting depth costs nothing.
import { FormatError } from './source.js';

export const SEQUENCE = 0x30;
export const SET = 0x31;
export const OID = 0x06;
export const OCTET_STRING = 0x04;
/** [0] EXPLICIT, constructed, context-specific. */
export const CONTEXT_0 = 0xa0;

/** One DER value: its tag and where its contents lie in `buf`. */
export interface Tlv {
  tag: number;
  /** Offset of the first byte of the tag. */
  start: number;
  /** Offset of the first content byte. */
  body: number;
  /** Offset just past the contents. */
  end: number;
}

/** The value at `at`, which must end by `limit`. */
export function tlv(buf: Buffer, at: number, limit: number = buf.length): Tlv {
  const bound = Math.min(limit, buf.length);
  if (at < 0 || at + 2 > bound) throw new FormatError(`DER value at ${at} is truncated`);
  const tag = buf[at] as number;
  if ((tag & 0x1f) === 0x1f) throw new FormatError(`DER tag at ${at} uses the multi-byte form`);
  const first = buf[at + 1] as number;
  let body = at + 2;
  let length = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0) throw new FormatError(`DER value at ${at} has an indefinite length (BER, not DER)`);
    if (n > 4 || body + n > bound) throw new FormatError(`DER length at ${at} is too long or truncated`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (buf[body + i] as number);
    body += n;
  }
  if (body + length > bound)
    throw new FormatError(`DER value at ${at} (${length} bytes) runs past its container`);
  return { tag, start: at, body, end: body + length };
}

/** `t` when it has the tag expected; a mismatch names `what`. */
function expectTag(t: Tlv, tag: number, what: string): Tlv {
  if (t.tag !== tag)
    throw new FormatError(`${what} has DER tag 0x${t.tag.toString(16)}, not 0x${tag.toString(16)}`);
  return t;
}

/** The values inside a constructed value, in order; at most `max` of them. */
export function children(buf: Buffer, parent: Tlv, max = 64): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.body; at < parent.end;) {
    if (out.length >= max) throw new FormatError(`a DER value holds more than ${max} values`);
    const child = tlv(buf, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The n-th child, with the tag expected. */
export function child(buf: Buffer, parent: Tlv, n: number, tag: number, what: string): Tlv {
  const c = children(buf, parent)[n];
  if (!c) throw new FormatError(`${what} is missing`);
  return expectTag(c, tag, what);
}

/** An OBJECT IDENTIFIER's dotted form. */
export function oid(buf: Buffer, t: Tlv): string {
  if (t.tag !== OID || t.end <= t.body) throw new FormatError('a DER object identifier is malformed');
  const arcs: number[] = [];
  let value = 0;
  for (let i = t.body; i < t.end; i++) {
    const b = buf[i] as number;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) throw new FormatError('a DER object identifier arc is too large');
    if ((b & 0x80) === 0) {
      // The first subidentifier packs two arcs: 40 * first + second, the first at most 2.
      const first = Math.min(2, Math.floor(value / 40));
      if (arcs.length === 0) arcs.push(first, value - first * 40);
      else arcs.push(value);
      value = 0;
    }
  }
  if ((buf[t.end - 1] as number) & 0x80) throw new FormatError('a DER object identifier does not end');
  return arcs.join('.');
}

/** The content bytes of `t`. */
export function contents(buf: Buffer, t: Tlv): Buffer {
  return buf.subarray(t.body, t.end);
}

// What the Mach-O and Authenticode checks share: the verdict without a signature, and the one way a
// signature that is there but does not hold becomes an `invalid` verdict instead of an exception.
import { FormatError } from './source.js';
import type { Signature } from './types.js';

export const NO_SIGNATURE: Signature = {
  kind: 'none',
  summary: 'none',
  identifier: null,
  team: null,
  hash: null,
  reason: null,
};

/** A signature that does not hold: `summary` is the short form the table shows, the message the full reason. */
export class InvalidSignature extends Error {
  constructor(
    readonly summary: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** Runs a check; a signature that does not hold, or a structure of it that is malformed, is `invalid`. */
export async function judged(what: string, check: () => Promise<Signature>): Promise<Signature> {
  try {
    return await check();
  } catch (e) {
    const invalid = (summary: string, reason: string): Signature => ({
      ...NO_SIGNATURE,
      kind: 'invalid',
      summary: `invalid (${summary})`,
      reason,
    });
    if (e instanceof InvalidSignature) return invalid(e.summary, e.message);
    if (e instanceof FormatError) return invalid('unreadable', `${what} is unreadable: ${e.message}`);
    throw e;
  }
}

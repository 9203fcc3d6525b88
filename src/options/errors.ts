/**
 * A bad input value. The message always names the input, quotes the value and says what
 * would be valid, so the user can fix the workflow file without reading our source.
 */
export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`Input '${input}': ${quote(value)} is not valid. ${expected}`);
    this.name = 'InputError';
  }
}

/** Quotes a user value for a message: escaped, control characters visible, length capped. */
export function quote(value: string): string {
  const capped = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  return JSON.stringify(capped);
}

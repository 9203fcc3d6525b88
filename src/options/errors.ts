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
    super(`Input '${input}': ${quote(value)} is not valid. ${oneLine(expected)}`);
    this.name = 'InputError';
  }
}

/** Quotes a user value for a message: escaped, control characters visible, length capped. */
export function quote(value: string): string {
  const capped = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  return JSON.stringify(capped);
}

/**
 * The explanation may repeat parts of the value (a file name it gives, a path): keep the message
 * one bounded line, with control characters shown escaped, as in `quote`.
 */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return escaped.length > 600 ? `${escaped.slice(0, 600)}…` : escaped;
}

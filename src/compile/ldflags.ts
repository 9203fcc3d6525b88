/**
 * Placeholder substitution for values that `go build` splits into words itself (-ldflags).
 * Go splits them with cmd/internal/quoted: fields separated by white space, a field may be
 * wrapped in single or double quotes, with no escapes inside. We split the template the same
 * way, substitute inside each field, and quote each field again when it needs it, so a value
 * with spaces or `$(…)` stays one literal field instead of becoming new linker arguments.
 */

export function splitGoQuoted(text: string): string[] {
  const fields: string[] = [];
  let rest = text;
  for (;;) {
    rest = rest.replace(/^[ \t\n\r]+/, '');
    if (rest === '') return fields;
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      const end = rest.indexOf(quote, 1);
      if (end < 0) throw new Error(`unterminated ${quote} quote`);
      fields.push(rest.slice(1, end));
      rest = rest.slice(end + 1);
      continue;
    }
    const end = rest.search(/[ \t\n\r]/);
    const stop = end < 0 ? rest.length : end;
    fields.push(rest.slice(0, stop));
    rest = rest.slice(stop);
  }
}

export function joinGoQuoted(fields: readonly string[]): string {
  return fields
    .map((field) => {
      const needsQuotes =
        field === '' || /[ \t\n\r]/.test(field) || field.startsWith('"') || field.startsWith("'");
      if (!needsQuotes) return field;
      if (!field.includes("'")) return `'${field}'`;
      if (!field.includes('"')) return `"${field}"`;
      throw new Error(
        `a value that contains spaces and both kinds of quotes cannot be passed to the linker: ${field}`,
      );
    })
    .join(' ');
}

export function substitute(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** Renders an ldflags template: placeholders replaced inside Go's own word splitting. */
export function renderLdflags(template: string, values: Readonly<Record<string, string>>): string {
  return joinGoQuoted(splitGoQuoted(template).map((field) => substitute(field, values)));
}

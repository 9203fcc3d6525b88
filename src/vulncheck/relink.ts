// govulncheck finds a binary's functions through its symbol table; a binary linked with -s (the
// default ldflags '-s -w') has none, and govulncheck then counts every vulnerable function of
// every linked module as present. The same build linked again without -s has the same functions
// (the linker drops unreached code either way) and a symbol table: that file is scanned instead.
import { splitGoQuoted, joinGoQuoted } from '../compile/ldflags.js';

/** -s, -s=true, --s …: the linker's flag package spellings that turn the symbol table off. */
function strips(field: string): boolean {
  const m = /^--?s(?:=(.*))?$/.exec(field);
  if (!m) return false;
  return m[1] === undefined || ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(m[1]);
}

/**
 * The argv of the same `go build` writing `output` with the symbol table kept, or null when the
 * build keeps it already (no -s in its -ldflags).
 */
export function unstrippedArgv(argv: readonly string[], output: string): string[] | null {
  let stripped = false;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-o') {
      out.push(arg, output);
      i++;
      continue;
    }
    const ldflags = /^--?ldflags=(.*)$/s.exec(arg);
    if (!ldflags) {
      out.push(arg);
      continue;
    }
    const fields = splitGoQuoted(ldflags[1] ?? '');
    const kept = fields.filter((f) => !strips(f));
    stripped ||= kept.length !== fields.length;
    out.push(`-ldflags=${joinGoQuoted(kept)}`);
  }
  return stripped ? out : null;
}

// Parses the module info text the way Go's runtime/debug.ParseBuildInfo does: tab-separated `path`, `mod`,
// `dep`, `=>` and `build` lines, with quoted build keys and values unquoted by Go's strconv rules.

export interface Module {
  path: string;
  version: string;
  sum: string | null;
}

/** A dependency: a `dep` line, and the `=>` line after it when go.mod replaces the module. */
export interface Dependency extends Module {
  /** Absent unless replaced. A directory replacement has the directory as its path and version `(devel)`. */
  replace?: Module;
}

export interface ModInfo {
  path: string | null;
  module: string | null;
  /** The main module's version as Go stamped it: `(devel)`, a tag, or a pseudo-version (Go 1.24+). */
  moduleVersion: string | null;
  /** The main module's h1: sum: only a build of a downloaded module (`go install pkg@version`) has one. */
  moduleSum: string | null;
  settings: Record<string, string>;
  deps: Dependency[];
}

export function parseModinfo(text: string): ModInfo {
  const settings = new Map<string, string>();
  const deps: Dependency[] = [];
  let path: string | null = null;
  let module: string | null = null;
  let moduleVersion: string | null = null;
  let moduleSum: string | null = null;
  // The dep a `=>` line would replace: as in runtime/debug, the latest one, and only once.
  let last: Dependency | null = null;
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const kind = line.slice(0, tab);
    const rest = line.slice(tab + 1);
    if (kind === 'path') path = rest;
    else if (kind === 'mod') {
      const [p = '', version, sum] = rest.split('\t');
      module = p;
      moduleVersion = version ?? null;
      moduleSum = sum === undefined || sum === '' ? null : sum;
      // Go never writes a replacement of the main module; one here would not be a dep's.
      last = null;
    } else if (kind === 'dep') {
      last = moduleLine(rest);
      deps.push(last);
    } else if (kind === '=>') {
      if (last) last.replace = moduleLine(rest);
      last = null;
    } else if (kind === 'build') {
      const kv = parseBuildSetting(rest);
      if (kv) settings.set(kv[0], kv[1]);
    }
  }
  // fromEntries defines own properties, so a hostile key such as __proto__ stays a plain key.
  return { path, module, moduleVersion, moduleSum, settings: Object.fromEntries(settings), deps };
}

/** `path<TAB>version[<TAB>sum]`: a replaced dep has no sum of its own (its replacement may). */
function moduleLine(rest: string): Module {
  const [path = '', version = '', sum = ''] = rest.split('\t');
  return { path, version, sum: sum === '' ? null : sum };
}

/** `key=value`, either side possibly a Go quoted string (runtime/debug quotes keys and values with spaces …). */
function parseBuildSetting(kv: string): [string, string] | null {
  let key: string;
  let raw: string;
  if (kv.startsWith('"') || kv.startsWith('`')) {
    const end = quotedPrefixLength(kv);
    if (end === null) return null;
    const k = unquote(kv.slice(0, end));
    if (k === null || kv[end] !== '=') return null;
    key = k;
    raw = kv.slice(end + 1);
  } else {
    const eq = kv.indexOf('=');
    if (eq <= 0) return null;
    key = kv.slice(0, eq);
    raw = kv.slice(eq + 1);
  }
  if (raw.startsWith('"') || raw.startsWith('`')) {
    const value = unquote(raw);
    return value === null ? null : [key, value];
  }
  return [key, raw];
}

/** Length of the quoted literal at the start of `s` (strconv.QuotedPrefix), or null. */
function quotedPrefixLength(s: string): number | null {
  const q = s[0];
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\' && q === '"') i++;
    else if (s[i] === q) return i + 1;
  }
  return null;
}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
  '"': 34,
};

/** Go's strconv.Unquote for double-quoted and back-quoted strings; null when `s` is not one valid literal. */
export function unquote(s: string): string | null {
  if (s.length < 2 || s[0] !== s[s.length - 1]) return null;
  const body = s.slice(1, -1);
  if (s[0] === '`') return body.includes('`') ? null : body.replace(/\r/g, '');
  if (s[0] !== '"') return null;
  const out: Buffer[] = [];
  let i = 0;
  const hex = (n: number): number | null => {
    const digits = body.slice(i, i + n);
    if (digits.length !== n || !/^[0-9a-fA-F]+$/.test(digits)) return null;
    i += n;
    return parseInt(digits, 16);
  };
  while (i < body.length) {
    const c = body[i] ?? '';
    if (c === '"' || c === '\n') return null;
    if (c !== '\\') {
      const cp = body.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      out.push(Buffer.from(ch, 'utf8'));
      i += ch.length;
      continue;
    }
    const e = body[i + 1] ?? '';
    i += 2;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) out.push(Buffer.of(simple));
    else if (e === 'x') {
      const b = hex(2);
      if (b === null) return null;
      out.push(Buffer.of(b));
    } else if (e >= '0' && e <= '7') {
      const digits = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(digits) || parseInt(digits, 8) > 255) return null;
      out.push(Buffer.of(parseInt(digits, 8)));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const cp = hex(e === 'u' ? 4 : 8);
      if (cp === null || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return null;
      out.push(Buffer.from(String.fromCodePoint(cp), 'utf8'));
    } else return null;
  }
  return Buffer.concat(out).toString('utf8');
}

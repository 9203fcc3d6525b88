// govulncheck's `-format json` stream (golang.org/x/vuln/internal/govulncheck): one JSON object
// after another, each holding one of config, progress, SBOM, osv or finding. A finding names
// an entry at the depth it reached: a module in the binary, a package of it, or a function.
import type { VulnFinding } from '../report/manifest.js';

interface Frame {
  module?: string;
  version?: string;
  package?: string;
  function?: string;
  receiver?: string;
}

interface Message {
  osv?: { id?: string; aliases?: string[]; summary?: string };
  finding?: { osv?: string; fixed_version?: string; trace?: Frame[] };
}

export interface Findings {
  reachable: VulnFinding[];
  imported: VulnFinding[];
  required: VulnFinding[];
}

/** The objects of the stream, in order; a truncated or garbled stream is an Error. */
export function splitJsonStream(text: string): unknown[] {
  const objects: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) objects.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && c !== undefined && !/\s/.test(c)) {
      throw new Error(`unexpected ${JSON.stringify(c)} between JSON objects at offset ${i}`);
    }
  }
  if (depth !== 0 || inString) throw new Error('the JSON stream ends inside an object');
  return objects;
}

/** The stream's findings, one per entry, split by the depth govulncheck reached. */
export function readFindings(text: string): Findings {
  const messages = splitJsonStream(text) as Message[];
  const entries = new Map<string, { aliases: string[]; summary: string }>();
  const byId = new Map<string, VulnFinding & { depth: number }>();
  for (const m of messages) {
    // An entry may list an alias twice (GO-2025-3956 does): each is named once.
    if (m.osv?.id)
      entries.set(m.osv.id, { aliases: [...new Set(m.osv.aliases)], summary: m.osv.summary ?? '' });
    const f = m.finding;
    const frame = f?.trace?.[0];
    if (!f?.osv || !frame?.module) continue;
    const depth = frame.function ? 2 : frame.package ? 1 : 0;
    let finding = byId.get(f.osv);
    if (!finding) {
      const stdlib = frame.module === 'stdlib';
      finding = {
        id: f.osv,
        aliases: [],
        summary: '',
        module: frame.module,
        version: goRelease(frame.version ?? '', stdlib),
        fixed: f.fixed_version ? goRelease(f.fixed_version, stdlib) : null,
        packages: [],
        symbols: [],
        depth,
      };
      byId.set(f.osv, finding);
    }
    finding.depth = Math.max(finding.depth, depth);
    if (frame.package && !finding.packages.includes(frame.package)) finding.packages.push(frame.package);
    if (frame.function && frame.package) {
      const symbol = `${lastElement(frame.package)}.${frame.receiver ? `${frame.receiver.replace(/^\*/, '')}.` : ''}${frame.function}`;
      if (!finding.symbols.includes(symbol)) finding.symbols.push(symbol);
    }
  }
  const found: Findings = { reachable: [], imported: [], required: [] };
  for (const { depth, ...finding } of [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const entry = entries.get(finding.id);
    finding.aliases = entry?.aliases ?? [];
    finding.summary = entry?.summary ?? '';
    finding.packages.sort();
    finding.symbols.sort();
    (depth === 2 ? found.reachable : depth === 1 ? found.imported : found.required).push(finding);
  }
  return found;
}

/** govulncheck writes the standard library's versions as semver (v1.23.5): Go names them go1.23.5. */
function goRelease(version: string, stdlib: boolean): string {
  return stdlib ? version.replace(/^v/, 'go') : version;
}

function lastElement(pkg: string): string {
  return pkg.slice(pkg.lastIndexOf('/') + 1);
}

// How a finding reads in the log, the summary and the table.
import type { VulnFinding } from '../report/manifest.js';

/**
 * `GO-2022-1059 in golang.org/x/text v0.3.7 (language.ParseAcceptLanguage), fixed in v0.3.8`; a
 * standard-library finding names the toolchain, whose newer patch (or release) fixes it.
 */
export function describeFinding(f: VulnFinding): string {
  const where = f.symbols.length > 0 ? ` (${f.symbols.join(', ')})` : '';
  if (f.module === 'stdlib') {
    const fix =
      f.fixed === null
        ? 'no Go release fixes it yet'
        : `a newer Go ${sameLine(f.version, f.fixed) ? 'patch' : 'release'} fixes it (fixed in ${f.fixed})`;
    return `${f.id} in the toolchain's standard library: ${f.version}${where}; ${fix}`;
  }
  const fix = f.fixed === null ? 'no fixed version yet' : `fixed in ${f.fixed}`;
  return `${f.id} in ${f.module} ${f.version}${where}, ${fix}`;
}

/** go1.23.5 and go1.23.12 are one release line: a patch fixes it. */
function sameLine(found: string, fixed: string): boolean {
  const line = (v: string): string => /^go\d+\.\d+/.exec(v)?.[0] ?? v;
  return line(found) === line(fixed);
}

/** `GO-2022-1059, GO-2025-3956`. */
export function findingIds(findings: readonly VulnFinding[]): string {
  return findings.map((f) => f.id).join(', ');
}

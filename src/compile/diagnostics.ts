import path from 'node:path';

/** One compiler or linker message with a source position. */
export interface Diagnostic {
  /** Relative to the workspace when the file lies inside it. */
  readonly file: string;
  readonly line: number;
  readonly col: number | null;
  readonly message: string;
}

const POSITION = /^(.+?\.(?:go|s|c|h|cc|cpp|m)):(\d+)(?::(\d+))?: (.+)$/;

/**
 * Finds `file.go:12:5: message` lines in go build's output. go prints paths relative to the
 * directory it ran in (or absolute ones); annotations want them relative to the workspace.
 */
export function parseDiagnostics(output: string, goCwd: string, workspace: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const rawLine of output.split('\n')) {
    const match = POSITION.exec(rawLine.trim());
    if (!match) continue;
    const absolute = path.resolve(goCwd, match[1] as string);
    const relative = path.relative(workspace, absolute);
    const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
    found.push({
      file: inside ? relative.split(path.sep).join('/') : absolute,
      line: Number(match[2]),
      col: match[3] === undefined ? null : Number(match[3]),
      message: match[4] as string,
    });
  }
  return found;
}

/** Merges the same message reported by several targets into one entry listing them. */
export function mergeDiagnostics(
  perTarget: readonly { target: string; diagnostics: readonly Diagnostic[] }[],
): { diagnostic: Diagnostic; targets: string[] }[] {
  const merged = new Map<string, { diagnostic: Diagnostic; targets: string[] }>();
  for (const { target, diagnostics } of perTarget) {
    for (const d of diagnostics) {
      const key = `${d.file}:${d.line}:${d.col ?? ''}:${d.message}`;
      const entry = merged.get(key);
      if (entry) {
        if (!entry.targets.includes(target)) entry.targets.push(target);
      } else merged.set(key, { diagnostic: d, targets: [target] });
    }
  }
  return [...merged.values()];
}

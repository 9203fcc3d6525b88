/** Where a message points in the repository (annotations in Actions, `file:line` on a terminal). */
export interface SourcePosition {
  file?: string;
  line?: number;
  col?: number;
  title?: string;
}

/**
 * The engine's only way to talk to the user. The action maps it onto @actions/core
 * (annotations, log groups); the CLI onto stderr. Keeping it an interface keeps the engine
 * free of the Actions runtime.
 */
export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string, position?: SourcePosition): void;
  error(message: string, position?: SourcePosition): void;
  /** Prints a finished block of lines as one collapsible group, so parallel targets never interleave. */
  group(title: string, lines: readonly string[]): void;
}

/** A logger that remembers everything: for callers that want to inspect what was said. */
export class MemoryLogger implements Logger {
  readonly lines: { level: 'info' | 'debug' | 'warning' | 'error' | 'group'; message: string }[] = [];
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  warning(message: string): void {
    this.lines.push({ level: 'warning', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
  group(title: string, lines: readonly string[]): void {
    this.lines.push({ level: 'group', message: [title, ...lines].join('\n') });
  }
}

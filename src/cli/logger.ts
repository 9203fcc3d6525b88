import type { Logger, SourcePosition } from '../log.js';

function where(position: SourcePosition | undefined): string {
  if (!position?.file) return '';
  return `${position.file}${position.line !== undefined ? `:${position.line}` : ''}${position.col !== undefined ? `:${position.col}` : ''}: `;
}

/** Plain terminal output on stderr (stdout is kept for the table and JSON). */
export class TerminalLogger implements Logger {
  constructor(
    private readonly verbose: boolean,
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
  ) {}
  info(message: string): void {
    this.write(`${message}\n`);
  }
  debug(message: string): void {
    if (this.verbose) this.write(`debug: ${message}\n`);
  }
  warning(message: string, position?: SourcePosition): void {
    this.write(`warning: ${where(position)}${message}\n`);
  }
  error(message: string, position?: SourcePosition): void {
    this.write(`error: ${where(position)}${message}\n`);
  }
  group(title: string, lines: readonly string[]): void {
    this.write(`${title}\n`);
    if (this.verbose) for (const line of lines) this.write(`    ${line}\n`);
  }
}

import * as core from '@actions/core';
import type { Logger, SourcePosition } from '../log.js';

function annotation(position: SourcePosition | undefined): core.AnnotationProperties {
  if (!position) return {};
  return {
    ...(position.title !== undefined ? { title: position.title } : {}),
    ...(position.file !== undefined ? { file: position.file } : {}),
    ...(position.line !== undefined ? { startLine: position.line } : {}),
    ...(position.col !== undefined ? { startColumn: position.col } : {}),
  };
}

/** Logs through the runner: annotations for warnings and errors, collapsible groups per target. */
export class ActionLogger implements Logger {
  info(message: string): void {
    core.info(message);
  }
  debug(message: string): void {
    core.debug(message);
  }
  warning(message: string, position?: SourcePosition): void {
    core.warning(message, annotation(position));
  }
  error(message: string, position?: SourcePosition): void {
    core.error(message, annotation(position));
  }
  group(title: string, lines: readonly string[]): void {
    core.startGroup(title);
    for (const line of lines) core.info(line);
    core.endGroup();
  }
}

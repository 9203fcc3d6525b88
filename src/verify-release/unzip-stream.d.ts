// unzip-stream ships no types: the part of its API the archive reader uses.
declare module 'unzip-stream' {
  import type { Readable, Transform } from 'node:stream';
  export interface Entry extends Readable {
    readonly path: string;
    readonly type: 'File' | 'Directory';
    autodrain(): void;
  }
  /** An object-mode stream of the entries of the zip piped into it, in file order. */
  export function Parse(): Transform;
}

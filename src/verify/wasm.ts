// WebAssembly reader: the section list, the import module names (which tell js from wasip1) and the Go
// version from the `producers` custom section. Go pads section sizes to 5-byte LEB128, so LEBs need not be minimal.
import type { Region } from './regions.js';
import type { ByteSource } from './source.js';
import { FormatError, readAt } from './source.js';

export interface WasmInfo {
  kind: 'wasm';
  importModules: string[];
  /** `go1.21.0` from the producers section's `language: Go` entry. */
  goVersion: string | null;
  /** The data section: where runtime.modinfo lives (wasm has no build info header). */
  data: Region[];
}

const MAX_SECTIONS = 10000;
const MAX_IMPORTS = 100000;
const SECTION_IMPORT = 2;
const SECTION_DATA = 11;
const SECTION_CUSTOM = 0;

export function isWasm(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32BE(0) === 0x0061736d;
}

/** A cursor over one section's bytes; every overrun is a FormatError. */
class Cursor {
  at = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}
  get done(): boolean {
    return this.at >= this.buf.length;
  }
  u8(): number {
    const b = this.buf[this.at++];
    if (b === undefined) throw new FormatError(`truncated or corrupt: ${this.what} ends early`);
    return b;
  }
  /** Unsigned LEB128 of at most 32 bits (up to 5 bytes, padding allowed). */
  leb(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.u8();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new FormatError(`${this.what} has an over-long LEB128 number`);
  }
  bytes(n: number): Buffer {
    if (this.at + n > this.buf.length) throw new FormatError(`truncated or corrupt: ${this.what} ends early`);
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
  name(): string {
    return this.bytes(this.leb()).toString('utf8');
  }
  limits(): void {
    const flags = this.u8();
    this.leb();
    if (flags & 1) this.leb();
  }
}

export async function readWasm(src: ByteSource): Promise<WasmInfo> {
  const head = await readAt(src, 0, 8, 'the wasm header');
  const version = head.readUInt32LE(4);
  if (version !== 1) throw new FormatError(`wasm binary format version ${version} is not 1`);
  const info: WasmInfo = { kind: 'wasm', importModules: [], goVersion: null, data: [] };
  let count = 0;
  for (let at = 8; at < src.size; count++) {
    if (count >= MAX_SECTIONS) throw new FormatError(`more than ${MAX_SECTIONS} wasm sections`);
    const hdr = new Cursor(
      await readAt(src, at, Math.min(6, src.size - at), 'a wasm section header'),
      'a wasm section header',
    );
    const id = hdr.u8();
    const size = hdr.leb();
    const body = at + hdr.at;
    const what = `wasm section ${count} (id ${id})`;
    if (body + size > src.size) {
      throw new FormatError(
        `truncated or corrupt: ${what} (${size} bytes at ${body}) runs past the end of the ${src.size}-byte file`,
      );
    }
    if (id === SECTION_IMPORT) {
      info.importModules = parseImports(new Cursor(await readAt(src, body, size, what), what));
    } else if (id === SECTION_DATA) {
      info.data.push({ name: 'wasm data section', offset: body, size, vaddr: null });
    } else if (id === SECTION_CUSTOM) {
      const c = new Cursor(await readAt(src, body, Math.min(size, 64), what), what);
      // Only the producers section is read in full: the others (name, debug info) can be large.
      if (c.name() === 'producers')
        info.goVersion = parseProducers(new Cursor(await readAt(src, body, size, what), what));
    } else if (id > 13) {
      throw new FormatError(`unknown wasm section id ${id}`);
    }
    at = body + size;
  }
  return info;
}

function parseImports(c: Cursor): string[] {
  const modules = new Set<string>();
  const n = c.leb();
  if (n > MAX_IMPORTS) throw new FormatError(`the wasm import section claims ${n} imports`);
  for (let i = 0; i < n; i++) {
    const module = c.name();
    if (modules.size < 64) modules.add(module);
    c.name();
    const kind = c.u8();
    if (kind === 0) c.leb();
    else if (kind === 1) {
      c.u8();
      c.limits();
    } else if (kind === 2) c.limits();
    else if (kind === 3) c.bytes(2);
    else if (kind === 4) {
      c.u8();
      c.leb();
    } else throw new FormatError(`unknown wasm import kind ${kind}`);
  }
  return [...modules];
}

/** The producers section: fields of (name, version) pairs; Go writes `language: Go go1.x.y`. */
function parseProducers(c: Cursor): string | null {
  c.name();
  const fields = c.leb();
  for (let i = 0; i < Math.min(fields, 16); i++) {
    const field = c.name();
    const values = c.leb();
    for (let j = 0; j < Math.min(values, 64); j++) {
      const name = c.name();
      const version = c.name();
      if (field === 'language' && name === 'Go') return version;
    }
  }
  return null;
}

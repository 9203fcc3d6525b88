// Bounds-checked integer and string access to a buffer in either byte order.
import { FormatError } from './source.js';

export type Endian = 'little' | 'big';

export class View {
  constructor(
    readonly buf: Buffer,
    readonly endian: Endian,
    /** Names the structure in error messages. */
    readonly what: string,
  ) {}

  private need(at: number, n: number): void {
    if (at < 0 || at + n > this.buf.length) {
      throw new FormatError(`truncated or corrupt: ${this.what} is too short (needs byte ${at + n})`);
    }
  }
  u8(at: number): number {
    this.need(at, 1);
    return this.buf.readUInt8(at);
  }
  u16(at: number): number {
    this.need(at, 2);
    return this.endian === 'little' ? this.buf.readUInt16LE(at) : this.buf.readUInt16BE(at);
  }
  u32(at: number): number {
    this.need(at, 4);
    return this.endian === 'little' ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }
  /** Unsigned 64-bit as a number; values past 2^53 lose precision, which only ever makes them "too large". */
  u64(at: number): number {
    this.need(at, 8);
    return Number(this.endian === 'little' ? this.buf.readBigUInt64LE(at) : this.buf.readBigUInt64BE(at));
  }
  /** Signed 64-bit (ELF d_tag) as a number. */
  i64(at: number): number {
    this.need(at, 8);
    return Number(this.endian === 'little' ? this.buf.readBigInt64LE(at) : this.buf.readBigInt64BE(at));
  }
  word(at: number, bits: 32 | 64): number {
    return bits === 64 ? this.u64(at) : this.u32(at);
  }
}

/** The NUL-terminated string at `at`, at most `max` bytes; a missing terminator ends it at the buffer's end. */
export function cstring(buf: Buffer, at: number, max = 4096): string {
  if (at < 0 || at >= buf.length) return '';
  const window = buf.subarray(at, Math.min(buf.length, at + max));
  const nul = window.indexOf(0);
  return window.toString('latin1', 0, nul >= 0 ? nul : window.length);
}

/** Fixed-width NUL-padded name (Mach-O segname, PE and XCOFF section names). */
export function fixedName(buf: Buffer, at: number, width: number): string {
  return cstring(buf.subarray(at, at + width), 0, width);
}

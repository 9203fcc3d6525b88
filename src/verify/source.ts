// Positioned reads over a file or a buffer. Every reader goes through `ByteSource` so that nothing ever
// loads a whole file, and so tests can feed in-memory mutations without touching the disk.
import type { FileHandle } from 'node:fs/promises';

export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `offset`. Callers validate the range first (see `readAt`). */
  read(offset: number, length: number): Promise<Buffer>;
}

/** The file is not what its headers claim: truncated, corrupt, hostile or not an executable. */
export class FormatError extends Error {
  override name = 'FormatError';
}

/** No single structure we read may be larger than this: hostile sizes must not allocate gigabytes. */
export const MAX_READ = 64 * 1024 * 1024;

/** Reads `[offset, offset+length)` after checking it lies inside the source; `what` names it for the error. */
export async function readAt(src: ByteSource, offset: number, length: number, what: string): Promise<Buffer> {
  checkRange(src.size, offset, length, what);
  if (length > MAX_READ) throw new FormatError(`${what} is implausibly large (${length} bytes)`);
  return length === 0 ? Buffer.alloc(0) : src.read(offset, length);
}

export function checkRange(size: number, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new FormatError(`${what} has an invalid offset or size`);
  }
  if (offset + length > size) {
    throw new FormatError(
      `truncated or corrupt: ${what} (offset ${offset}, ${length} bytes) runs past the end of the ${size}-byte file`,
    );
  }
}

export class BufferSource implements ByteSource {
  constructor(private readonly buf: Buffer) {}
  get size(): number {
    return this.buf.length;
  }
  async read(offset: number, length: number): Promise<Buffer> {
    return this.buf.subarray(offset, offset + length);
  }
}

export class FileSource implements ByteSource {
  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}
  async read(offset: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.fh.read(buf, done, length - done, offset + done);
      if (bytesRead === 0)
        throw new FormatError(`the file shrank while it was being read (at offset ${offset + done})`);
      done += bytesRead;
    }
    return buf;
  }
}

/** A window `[offset, offset+size)` of another source: one slice of a universal Mach-O. */
export class SliceSource implements ByteSource {
  constructor(
    private readonly inner: ByteSource,
    private readonly offset: number,
    readonly size: number,
  ) {}
  read(offset: number, length: number): Promise<Buffer> {
    return this.inner.read(this.offset + offset, length);
  }
}

const BLOCK = 64 * 1024;

/**
 * Serves small header reads from a few cached 64 KiB blocks: parsing a header means dozens of tiny reads
 * close together, and one positioned read of a block costs about as much as one of 16 bytes.
 */
export class CachedSource implements ByteSource {
  private readonly blocks = new Map<number, Buffer>();
  constructor(private readonly inner: ByteSource) {}
  get size(): number {
    return this.inner.size;
  }
  async read(offset: number, length: number): Promise<Buffer> {
    const first = Math.floor(offset / BLOCK);
    if (Math.floor((offset + length - 1) / BLOCK) !== first || length === 0)
      return this.inner.read(offset, length);
    let block = this.blocks.get(first);
    if (!block) {
      const start = first * BLOCK;
      block = await this.inner.read(start, Math.min(BLOCK, this.inner.size - start));
      if (this.blocks.size >= 16) this.blocks.clear();
      this.blocks.set(first, block);
    }
    const at = offset - first * BLOCK;
    return block.subarray(at, at + length);
  }
}

import { encodeUtf8 } from "./utf8.js";

/**
 * ASCII text written straight into ~64 KiB byte chunks. A million COCO annotation lines built as
 * strings cost ~2 KB of garbage each (template pieces, ropes, the batch they were flattened into)
 * and were then encoded to UTF-8 twice (for the hash and for the zip); written here, a line costs
 * no allocation and its bytes go to the hash and the zip as they are. Only for text known to be
 * ASCII (JSON numbers and keys): anything else goes through a string and TextEncoder.
 */
export class ByteChunks {
  private buf: Uint8Array;
  private pos = 0;
  private readonly done: Uint8Array[] = [];

  constructor(private readonly chunkBytes = 64 * 1024) {
    this.buf = new Uint8Array(chunkBytes);
  }

  /**
   * Makes room for `n` more bytes. The writes below do not check bounds (a typed array drops a
   * write past its end silently), so a writer reserves an upper bound of what it will write first.
   */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.seal();
    if (n > this.buf.length) this.buf = new Uint8Array(n);
  }

  /** The chunks filled so far (each at least `chunkBytes` long), handed over once. */
  *full(): Generator<Uint8Array> {
    if (this.pos >= this.chunkBytes) this.seal();
    while (this.done.length > 0) yield this.done.shift() as Uint8Array;
  }

  /** Every byte written, the last chunk possibly short. */
  *rest(): Generator<Uint8Array> {
    this.seal();
    while (this.done.length > 0) yield this.done.shift() as Uint8Array;
  }

  private seal() {
    if (this.pos === 0) return;
    this.done.push(this.buf.subarray(0, this.pos));
    this.buf = new Uint8Array(this.chunkBytes);
    this.pos = 0;
  }

  /** An ASCII string. */
  ascii(s: string): void {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any text as UTF-8 (an attribute value): reserve `3 * s.length` bytes for it first. */
  utf8(s: string): void {
    const bytes = encodeUtf8(s);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** `s[start, end)`, ASCII. */
  range(s: string, start: number, end: number): void {
    const b = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  /** `n` (a non-negative integer below 10^count) as exactly `count` digits, zero-padded. */
  padded(n: number, count: number): void {
    const b = this.buf;
    const end = this.pos + count;
    let t = n;
    for (let p = end - 1; p >= this.pos; p--) {
      b[p] = 48 + (t % 10);
      t = Math.floor(t / 10);
    }
    this.pos = end;
  }

  /** Where the next byte goes, to copy what follows with `again` (within one reserved stretch). */
  get mark(): number {
    return this.pos;
  }

  /** Drops what was written since `mark` (a writer that found it must write something else). */
  rewind(mark: number): void {
    this.pos = mark;
  }

  /** Writes again the bytes written between two marks of the current stretch. */
  again(start: number, end: number): void {
    this.buf.copyWithin(this.pos, start, end);
    this.pos += end - start;
  }

  /** A non-negative safe integer in decimal, as `String(n)` prints it. */
  uint(n: number): void {
    if (n < 10) {
      this.buf[this.pos++] = 48 + n;
      return;
    }
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    const b = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    for (let t = n; p > this.pos - digits; t = Math.floor(t / 10)) b[--p] = 48 + (t % 10);
  }
}

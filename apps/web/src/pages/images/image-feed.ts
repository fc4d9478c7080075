import type { Image, ImageStatus, StatusCounts } from "@labelbench/schema";

/**
 * The library's images for one filter, loaded in fixed-size blocks as the grid shows them.
 *
 * Block k holds images [k·B, (k+1)·B). It is fetched with the cursor the server gave at the end of
 * block k-1 when that is known (keyset paging: cheap, and what scrolling on does), and with
 * `offset=k·B` otherwise (a jump, e.g. dragging the scrollbar to image 90,000: one request instead
 * of 450 cursor hops). The grid's length comes from the server's status counts, so the scrollbar is
 * right from the first block; blocks far from the view are dropped to keep memory bounded.
 */

export interface FeedPage {
  items: Image[];
  nextCursor: string | null;
  counts: StatusCounts;
}

export interface PageRequest {
  cursor: string | null;
  offset: number | null;
  limit: number;
}

export type FetchPage = (req: PageRequest, signal: AbortSignal) => Promise<FeedPage>;

export interface FeedSnapshot {
  /** How many cells the grid lays out: the filter's total when known, else loaded plus a block. */
  readonly length: number;
  readonly counts: StatusCounts | null;
  /** The exact length is known (the last block has been seen). */
  readonly complete: boolean;
  readonly loading: boolean;
  readonly error: string | null;
  /** The image at a grid index, or undefined while its block is not loaded. */
  at(index: number): Image | undefined;
}

export interface FeedOptions {
  status?: ImageStatus | undefined;
  /** A file-name search: the server's counts do not cover it, so the length is found by reading on. */
  query?: string | undefined;
  blockSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Blocks kept on either side of the wanted range; farther ones are dropped. */
  keepBlocks?: number;
}

export class ImageFeed {
  private readonly blocks = new Map<number, Image[]>();
  /** nextCursor the server sent with block k: the cursor that fetches block k+1 (null: k was last). */
  private readonly cursors = new Map<number, string | null>();
  private readonly inflight = new Map<number, AbortController>();
  private end: number | null = null;
  private counts: StatusCounts | null = null;
  private error: string | null = null;
  private wantFirst = 0;
  private wantLast = 0;
  private disposed = false;
  private readonly listeners = new Set<() => void>();
  private snapshot: FeedSnapshot;
  private readonly B: number;
  private readonly concurrency: number;
  private readonly keep: number;

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly opts: FeedOptions = {},
  ) {
    this.B = opts.blockSize ?? 200;
    this.concurrency = opts.concurrency ?? 3;
    this.keep = opts.keepBlocks ?? 40;
    this.snapshot = this.build();
  }

  /** Asks for the images at indexes [first, last] (inclusive); earlier requests outside it may be dropped. */
  ensure(first: number, last = first): void {
    if (this.disposed) return;
    this.wantFirst = Math.floor(Math.max(0, first) / this.B);
    this.wantLast = Math.max(this.wantFirst, Math.floor(Math.max(0, last) / this.B));
    this.pump();
  }

  /**
   * Replaces loaded images in place (a bulk tag change answers each image's new tags): the grid
   * keeps its scroll, focus and selection instead of loading again.
   */
  patch(update: (img: Image) => Image): void {
    if (this.disposed) return;
    for (const [k, items] of this.blocks) this.blocks.set(k, items.map(update));
    this.emit();
  }

  /** New counts (after a change that moved images between statuses), read with one small page. */
  setCounts(counts: StatusCounts): void {
    if (this.disposed) return;
    this.counts = counts;
    this.emit();
  }

  retry(): void {
    this.error = null;
    this.emit();
    this.pump();
  }

  dispose(): void {
    this.disposed = true;
    for (const c of this.inflight.values()) c.abort();
    this.inflight.clear();
    this.listeners.clear();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): FeedSnapshot => this.snapshot;

  private lastBlock(): number | null {
    return this.end === null ? null : Math.max(0, Math.ceil(this.end / this.B) - 1);
  }

  private pump(): void {
    if (this.disposed || this.error) return;
    const lastBlock = this.lastBlock();
    const hi = lastBlock === null ? this.wantLast : Math.min(this.wantLast, lastBlock);
    // A jump elsewhere makes far requests pointless: drop them so the wanted blocks come sooner.
    for (const [k, c] of this.inflight) {
      if (k < this.wantFirst - 1 || k > hi + 1) {
        c.abort();
        this.inflight.delete(k);
      }
    }
    for (let k = this.wantFirst; k <= hi && this.inflight.size < this.concurrency; k++) {
      if (this.blocks.has(k) || this.inflight.has(k)) continue;
      // Without an end known (search), blocks must come in order: each one's cursor finds the next.
      if (this.opts.query && k > 0 && !this.cursors.has(k - 1)) break;
      this.load(k);
    }
  }

  private load(k: number): void {
    const controller = new AbortController();
    this.inflight.set(k, controller);
    const prev = this.cursors.get(k - 1);
    const req: PageRequest =
      k === 0
        ? { cursor: null, offset: null, limit: this.B }
        : typeof prev === "string"
          ? { cursor: prev, offset: null, limit: this.B }
          : { cursor: null, offset: k * this.B, limit: this.B };
    this.emit();
    this.fetchPage(req, controller.signal).then(
      (page) => {
        if (controller.signal.aborted || this.disposed) return;
        this.inflight.delete(k);
        this.blocks.set(k, page.items);
        this.cursors.set(k, page.nextCursor);
        this.counts = page.counts;
        if (page.nextCursor === null) this.setEnd(k * this.B + page.items.length);
        this.evict();
        this.emit();
        this.pump();
      },
      (err: unknown) => {
        if (controller.signal.aborted || this.disposed) return;
        this.inflight.delete(k);
        this.error = err instanceof Error ? err.message : String(err);
        this.emit();
      },
    );
  }

  private setEnd(end: number): void {
    this.end = end;
    const lastBlock = this.lastBlock() ?? 0;
    for (const k of [...this.blocks.keys()]) if (k > lastBlock) this.blocks.delete(k);
  }

  private evict(): void {
    for (const k of [...this.blocks.keys()]) {
      if (k < this.wantFirst - this.keep || k > this.wantLast + this.keep) this.blocks.delete(k);
    }
  }

  private knownTotal(): number | null {
    if (!this.counts || this.opts.query) return null;
    return this.opts.status ? this.counts[this.opts.status] : this.counts.total;
  }

  private build(): FeedSnapshot {
    const blocks = this.blocks;
    const B = this.B;
    let length: number;
    if (this.end !== null) length = this.end;
    else if (this.counts === null) length = 0;
    else {
      let loadedEnd = 0;
      for (const [k, items] of blocks) loadedEnd = Math.max(loadedEnd, k * B + items.length);
      const total = this.knownTotal();
      // Counts can lag behind uploads landing meanwhile: never claim fewer cells than are loaded.
      length = total !== null && total > loadedEnd ? total : loadedEnd + B;
    }
    return {
      length,
      counts: this.counts,
      complete: this.end !== null,
      loading: this.inflight.size > 0,
      error: this.error,
      at: (i: number) => blocks.get(Math.floor(i / B))?.[i % B],
    };
  }

  private emit(): void {
    this.snapshot = this.build();
    for (const l of this.listeners) l();
  }
}

/** A decoded tile, ready for drawImage. */
export interface DecodedTile {
  readonly image: CanvasImageSource;
  readonly width: number;
  readonly height: number;
  /** Frees the decoded pixels (ImageBitmap.close); called when the cache drops the tile. */
  close(): void;
}

export type LoadTile = (url: string, signal: AbortSignal) => Promise<DecodedTile>;

export interface TileRequest {
  readonly key: string;
  readonly url: string;
}

export interface TileCacheOptions {
  load: LoadTile;
  /** Most decoded tiles kept (a 512 px tile is 1 MB decoded). */
  capacity: number;
  /** Most loads at once: six is what a browser opens per host over HTTP/1.1. */
  maxInFlight: number;
  /** A tile arrived: the owner redraws. */
  onLoad(key: string): void;
  /** A tile failed; it is not asked for again until `retryAfterMs` has passed. */
  onError?(key: string, error: unknown): void;
  retryAfterMs?: number;
  now?: () => number;
}

export interface TileCache {
  /** The decoded tile, marked as recently used; undefined when not loaded. */
  get(key: string): DecodedTile | undefined;
  has(key: string): boolean;
  /**
   * The tiles wanted now, most urgent first. Replaces the previous wish list: queued tiles no
   * longer wanted are dropped and their loads aborted, so a fast zoom does not wait behind tiles
   * of levels it already left.
   */
  want(requests: readonly TileRequest[]): void;
  /**
   * Takes over a load someone else started (the editor's preload, begun before the renderer
   * existed): it counts as in flight, and its tile joins the cache like any other when it arrives.
   */
  adopt(key: string, tile: Promise<DecodedTile>): void;
  /** Loaded, loading and queued counts (for stats and tests). */
  sizes(): { loaded: number; loading: number; queued: number };
  /** Aborts every load and frees every tile. */
  dispose(): void;
}

/**
 * An LRU of decoded tiles with a bounded number of loads in flight. Eviction drops the least
 * recently drawn tile, so a tile drawn this frame (the renderer calls `get` for each) stays.
 */
export const createTileCache = (opts: TileCacheOptions): TileCache => {
  const now = opts.now ?? (() => performance.now());
  const retryAfter = opts.retryAfterMs ?? 10_000;
  const tiles = new Map<string, DecodedTile>();
  const loading = new Map<string, AbortController>();
  const failedAt = new Map<string, number>();
  let queue: TileRequest[] = [];
  let disposed = false;

  const evict = () => {
    while (tiles.size > opts.capacity) {
      const oldest = tiles.keys().next();
      if (oldest.done) return;
      tiles.get(oldest.value)?.close();
      tiles.delete(oldest.value);
    }
  };

  const pump = () => {
    while (!disposed && loading.size < opts.maxInFlight && queue.length > 0) {
      const next = queue.shift();
      if (!next || tiles.has(next.key) || loading.has(next.key)) continue;
      const ctrl = new AbortController();
      track(next.key, ctrl, opts.load(next.url, ctrl.signal));
    }
  };

  function track(key: string, ctrl: AbortController, p: Promise<DecodedTile>) {
    loading.set(key, ctrl);
    p.then(
      (tile) => {
        if (loading.get(key) !== ctrl) return void tile.close();
        loading.delete(key);
        if (disposed) return void tile.close();
        tiles.set(key, tile);
        failedAt.delete(key);
        evict();
        opts.onLoad(key);
        pump();
      },
      (err: unknown) => {
        if (loading.get(key) !== ctrl) return;
        loading.delete(key);
        if (disposed || ctrl.signal.aborted) return;
        failedAt.set(key, now());
        opts.onError?.(key, err);
        pump();
      },
    );
  }

  return {
    get: (key) => {
      const t = tiles.get(key);
      if (t) {
        tiles.delete(key);
        tiles.set(key, t);
      }
      return t;
    },
    has: (key) => tiles.has(key),
    want: (requests) => {
      if (disposed) return;
      const t = now();
      const wanted = new Set(requests.map((r) => r.key));
      for (const [key, ctrl] of loading) {
        if (!wanted.has(key)) {
          ctrl.abort();
          loading.delete(key);
        }
      }
      queue = requests.filter((r) => {
        if (tiles.has(r.key) || loading.has(r.key)) return false;
        const failed = failedAt.get(r.key);
        return failed === undefined || t - failed >= retryAfter;
      });
      pump();
    },
    adopt: (key, tile) => {
      if (disposed || tiles.has(key) || loading.has(key)) return;
      // Aborting an adopted load only forgets it: its owner's request runs to its end.
      track(key, new AbortController(), tile);
    },
    sizes: () => ({ loaded: tiles.size, loading: loading.size, queued: queue.length }),
    dispose: () => {
      disposed = true;
      for (const ctrl of loading.values()) ctrl.abort();
      loading.clear();
      for (const t of tiles.values()) t.close();
      tiles.clear();
      queue = [];
    },
  };
};

/**
 * Fetches and decodes off the main thread (createImageBitmap), so a burst of arriving tiles does
 * not stall panning; falls back to an <img> where createImageBitmap is missing.
 */
export const loadTileBitmap: LoadTile = async (url, signal) => {
  if (typeof createImageBitmap === "function") {
    const res = await fetch(url, { signal, credentials: "same-origin" });
    if (!res.ok) throw new Error(`tile ${url} answered ${res.status}`);
    const bitmap = await createImageBitmap(await res.blob());
    return { image: bitmap, width: bitmap.width, height: bitmap.height, close: () => bitmap.close() };
  }
  const img = new Image();
  img.decoding = "async";
  img.src = url;
  await img.decode();
  if (signal.aborted) throw new DOMException("aborted", "AbortError");
  return {
    image: img,
    width: img.naturalWidth,
    height: img.naturalHeight,
    close: () => img.removeAttribute("src"),
  };
};

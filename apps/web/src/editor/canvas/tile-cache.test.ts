import { describe, expect, it } from "vitest";
import { createTileCache, type DecodedTile, type TileRequest } from "./tile-cache";

/** A loader whose loads the test settles by hand, recording what was asked, aborted and closed. */
const fakeLoader = () => {
  const pending = new Map<
    string,
    { resolve: () => void; reject: (e: unknown) => void; signal: AbortSignal }
  >();
  const started: string[] = [];
  const aborted: string[] = [];
  const closed: string[] = [];
  const load = (url: string, signal: AbortSignal) =>
    new Promise<DecodedTile>((resolve, reject) => {
      started.push(url);
      signal.addEventListener("abort", () => {
        aborted.push(url);
        reject(new DOMException("aborted", "AbortError"));
      });
      pending.set(url, {
        signal,
        reject,
        resolve: () =>
          resolve({ image: {} as CanvasImageSource, width: 512, height: 512, close: () => closed.push(url) }),
      });
    });
  const settle = async (url: string, ok = true) => {
    const p = pending.get(url);
    if (!p) throw new Error(`no load of ${url} in flight`);
    pending.delete(url);
    if (ok) p.resolve();
    else p.reject(new Error("404"));
    await new Promise((r) => setTimeout(r, 0));
  };
  return { load, started, aborted, closed, settle };
};

const req = (...keys: string[]): TileRequest[] => keys.map((key) => ({ key, url: `u:${key}` }));

describe("tile cache", () => {
  it("loads in priority order with at most maxInFlight at once", async () => {
    const f = fakeLoader();
    const loaded: string[] = [];
    const c = createTileCache({ load: f.load, capacity: 10, maxInFlight: 2, onLoad: (k) => loaded.push(k) });
    c.want(req("a", "b", "c", "d"));
    expect(f.started).toEqual(["u:a", "u:b"]);
    expect(c.sizes()).toEqual({ loaded: 0, loading: 2, queued: 2 });
    await f.settle("u:b");
    expect(loaded).toEqual(["b"]);
    expect(c.has("b")).toBe(true);
    expect(f.started).toEqual(["u:a", "u:b", "u:c"]);
  });

  it("drops queued tiles no longer wanted and aborts their loads", async () => {
    const f = fakeLoader();
    const c = createTileCache({ load: f.load, capacity: 10, maxInFlight: 2, onLoad: () => undefined });
    c.want(req("a", "b", "c"));
    c.want(req("b", "x", "y"));
    expect(f.aborted).toEqual(["u:a"]);
    // b keeps its load; x takes the freed slot; c is forgotten.
    expect(f.started).toEqual(["u:a", "u:b", "u:x"]);
    await f.settle("u:b");
    expect(f.started).toEqual(["u:a", "u:b", "u:x", "u:y"]);
    expect(f.started).not.toContain("u:c");
  });

  it("does not ask again for tiles it holds or is loading", async () => {
    const f = fakeLoader();
    const c = createTileCache({ load: f.load, capacity: 10, maxInFlight: 4, onLoad: () => undefined });
    c.want(req("a", "b"));
    await f.settle("u:a");
    c.want(req("a", "b", "c"));
    expect(f.started).toEqual(["u:a", "u:b", "u:c"]);
  });

  it("keeps at most `capacity` tiles, dropping and closing the least recently drawn", async () => {
    const f = fakeLoader();
    const c = createTileCache({ load: f.load, capacity: 2, maxInFlight: 4, onLoad: () => undefined });
    c.want(req("a", "b"));
    await f.settle("u:a");
    await f.settle("u:b");
    c.get("a"); // drawn: now b is the oldest
    c.want(req("c"));
    await f.settle("u:c");
    expect(c.has("a")).toBe(true);
    expect(c.has("b")).toBe(false);
    expect(c.has("c")).toBe(true);
    expect(f.closed).toEqual(["u:b"]);
  });

  it("reports a failed tile and asks for it again only after the retry delay", async () => {
    const f = fakeLoader();
    let clock = 0;
    const errors: string[] = [];
    const c = createTileCache({
      load: f.load,
      capacity: 4,
      maxInFlight: 4,
      onLoad: () => undefined,
      onError: (k) => errors.push(k),
      retryAfterMs: 1000,
      now: () => clock,
    });
    c.want(req("a"));
    await f.settle("u:a", false);
    expect(errors).toEqual(["a"]);
    c.want(req("a"));
    expect(f.started).toEqual(["u:a"]);
    clock = 1500;
    c.want(req("a"));
    expect(f.started).toEqual(["u:a", "u:a"]);
  });

  it("aborts loads and closes tiles on dispose, and ignores loads that finish afterwards", async () => {
    const f = fakeLoader();
    const loaded: string[] = [];
    const c = createTileCache({ load: f.load, capacity: 4, maxInFlight: 4, onLoad: (k) => loaded.push(k) });
    c.want(req("a", "b"));
    await f.settle("u:a");
    c.dispose();
    expect(f.aborted).toEqual(["u:b"]);
    expect(f.closed).toEqual(["u:a"]);
    c.want(req("c"));
    expect(f.started).toEqual(["u:a", "u:b"]);
    expect(loaded).toEqual(["a"]);
  });

  it("adopts a load started elsewhere: it counts as in flight, is not asked for again, and joins the cache", async () => {
    const f = fakeLoader();
    const loaded: string[] = [];
    const c = createTileCache({ load: f.load, capacity: 4, maxInFlight: 4, onLoad: (k) => loaded.push(k) });
    let resolve: (t: DecodedTile) => void = () => {};
    c.adopt("a", new Promise<DecodedTile>((r) => (resolve = r)));
    c.want(req("a", "b"));
    expect(f.started).toEqual(["u:b"]);
    expect(c.sizes()).toEqual({ loaded: 0, loading: 2, queued: 0 });
    resolve({ image: {} as CanvasImageSource, width: 512, height: 512, close: () => undefined });
    await new Promise((r) => setTimeout(r, 0));
    expect(loaded).toEqual(["a"]);
    expect(c.has("a")).toBe(true);
  });

  it("closes an adopted tile that arrives after the view left it", async () => {
    const f = fakeLoader();
    const c = createTileCache({ load: f.load, capacity: 4, maxInFlight: 4, onLoad: () => undefined });
    let resolve: (t: DecodedTile) => void = () => {};
    const closed: string[] = [];
    c.adopt("a", new Promise<DecodedTile>((r) => (resolve = r)));
    c.want(req("b"));
    resolve({ image: {} as CanvasImageSource, width: 512, height: 512, close: () => closed.push("a") });
    await new Promise((r) => setTimeout(r, 0));
    expect(c.has("a")).toBe(false);
    expect(closed).toEqual(["a"]);
  });
});

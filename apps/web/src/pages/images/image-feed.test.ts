import type { Image, StatusCounts } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { type FeedPage, ImageFeed, type PageRequest } from "./image-feed";

const img = (id: number): Image => ({
  id,
  projectId: 1,
  fileName: `img_${id}.jpg`,
  sha256: "0".repeat(64),
  width: 10,
  height: 10,
  format: "jpeg",
  byteSize: 100,
  status: "new",
  annotationCount: 0,
  tiles: { state: "none", progress: 0, tileSize: null, levels: null },
  createdAt: "2024-01-01T00:00:00.000Z",
  updatedAt: "2024-01-01T00:00:00.000Z",
});

/** A fake server holding images 1..total, paging by id with cursors (the last id) or by offset. */
const server = (total: number, counts?: Partial<StatusCounts>) => {
  const calls: PageRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fetchPage = async (req: PageRequest, signal: AbortSignal): Promise<FeedPage> => {
    calls.push(req);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // An aborted request frees its slot at once, like fetch and XHR do.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        inFlight--;
        resolve();
      }, 1);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        inFlight--;
        reject(new DOMException("aborted", "AbortError"));
      });
    });
    const after = req.cursor ? Number(req.cursor) : (req.offset ?? 0);
    const n = Math.max(0, Math.min(req.limit, total - after));
    const items = Array.from({ length: n }, (_, i) => img(after + i + 1));
    const last = items.at(-1);
    return {
      items,
      nextCursor: last && last.id < total ? String(last.id) : null,
      counts: { new: total, in_progress: 0, done: 0, skipped: 0, total, ...counts },
    };
  };
  return { fetchPage, calls, maxInFlight: () => maxInFlight };
};

const settle = async (feed: ImageFeed) => {
  for (let i = 0; i < 2000 && feed.getSnapshot().loading; i++) await new Promise((r) => setTimeout(r, 1));
};

describe("ImageFeed", () => {
  it("loads the first block and sizes the grid from the server's total", async () => {
    const s = server(100_000);
    const feed = new ImageFeed(s.fetchPage, { blockSize: 100 });
    expect(feed.getSnapshot().length).toBe(0);
    feed.ensure(0, 30);
    await settle(feed);
    const snap = feed.getSnapshot();
    expect(snap).toMatchObject({ length: 100_000, complete: false, error: null });
    expect(snap.at(0)?.id).toBe(1);
    expect(snap.at(99)?.id).toBe(100);
    expect(snap.at(100)).toBeUndefined();
    expect(s.calls).toEqual([{ cursor: null, offset: null, limit: 100 }]);
  });

  it("reads on with the cursor of the block before", async () => {
    const s = server(1000);
    const feed = new ImageFeed(s.fetchPage, { blockSize: 100 });
    feed.ensure(0, 50);
    await settle(feed);
    feed.ensure(150, 199);
    await settle(feed);
    feed.ensure(180, 250);
    await settle(feed);
    expect(s.calls.slice(1)).toEqual([
      { cursor: "100", offset: null, limit: 100 },
      { cursor: "200", offset: null, limit: 100 },
    ]);
    expect(feed.getSnapshot().at(250)?.id).toBe(251);
  });

  it("jumps far with one offset request instead of walking every cursor", async () => {
    const s = server(100_000);
    const feed = new ImageFeed(s.fetchPage, { blockSize: 200 });
    feed.ensure(0, 30);
    await settle(feed);
    feed.ensure(90_010, 90_050);
    await settle(feed);
    expect(s.calls).toHaveLength(2);
    expect(s.calls[1]).toEqual({ cursor: null, offset: 90_000, limit: 200 });
    expect(feed.getSnapshot().at(90_010)?.id).toBe(90_011);
    // Scrolling on from there follows that block's cursor.
    feed.ensure(90_210, 90_220);
    await settle(feed);
    expect(s.calls[2]).toEqual({ cursor: "90200", offset: null, limit: 200 });
  });

  it("finds the exact end at the last block, whatever the counts said", async () => {
    const s = server(250, { total: 300 });
    const feed = new ImageFeed(s.fetchPage, { blockSize: 100 });
    feed.ensure(0, 10);
    await settle(feed);
    expect(feed.getSnapshot().length).toBe(300);
    feed.ensure(200, 299);
    await settle(feed);
    expect(feed.getSnapshot()).toMatchObject({ length: 250, complete: true });
    expect(feed.getSnapshot().at(249)?.id).toBe(250);
  });

  it("uses the status count as the length for a status filter, and an empty filter is complete", async () => {
    const done = new ImageFeed(server(50, { done: 7 }).fetchPage, { status: "done", blockSize: 5 });
    done.ensure(0, 3);
    await settle(done);
    expect(done.getSnapshot().length).toBe(7);
    const none = new ImageFeed(server(0).fetchPage, { status: "skipped" });
    none.ensure(0, 10);
    await settle(none);
    expect(none.getSnapshot()).toMatchObject({ length: 0, complete: true });
  });

  it("with a search, grows a block at a time by cursor until the end", async () => {
    const s = server(12);
    const feed = new ImageFeed(s.fetchPage, { query: "img", blockSize: 5 });
    feed.ensure(0, 3);
    await settle(feed);
    expect(feed.getSnapshot().length).toBe(10);
    feed.ensure(0, 14);
    await settle(feed);
    expect(feed.getSnapshot()).toMatchObject({ length: 12, complete: true });
    expect(s.calls.every((c) => c.offset === null)).toBe(true);
  });

  it("keeps at most `concurrency` requests in flight and drops ones a jump made pointless", async () => {
    const s = server(100_000);
    const feed = new ImageFeed(s.fetchPage, { blockSize: 100, concurrency: 2 });
    feed.ensure(0, 10);
    await settle(feed);
    feed.ensure(5_000, 5_900);
    feed.ensure(50_000, 50_050);
    await settle(feed);
    expect(s.maxInFlight()).toBeLessThanOrEqual(2);
    expect(feed.getSnapshot().at(50_000)?.id).toBe(50_001);
    expect(feed.getSnapshot().at(5_000)).toBeUndefined();
  });

  it("drops blocks far from the view so memory stays bounded", async () => {
    const s = server(100_000);
    const feed = new ImageFeed(s.fetchPage, { blockSize: 100, keepBlocks: 2 });
    feed.ensure(0, 10);
    await settle(feed);
    feed.ensure(60_000, 60_010);
    await settle(feed);
    expect(feed.getSnapshot().at(5)).toBeUndefined();
    expect(feed.getSnapshot().at(60_005)?.id).toBe(60_006);
  });

  it("keeps the error and resumes on retry", async () => {
    const s = server(30);
    let fail = true;
    const feed = new ImageFeed(
      async (req, signal) => {
        if (fail) throw new Error("cannot reach the server");
        return s.fetchPage(req, signal);
      },
      { blockSize: 10 },
    );
    feed.ensure(0, 5);
    await settle(feed);
    expect(feed.getSnapshot()).toMatchObject({ error: "cannot reach the server", length: 0 });
    fail = false;
    feed.retry();
    await settle(feed);
    expect(feed.getSnapshot()).toMatchObject({ error: null, length: 30 });
  });

  it("notifies subscribers and stops after dispose", async () => {
    const s = server(10);
    const feed = new ImageFeed(s.fetchPage, { blockSize: 5 });
    let notified = 0;
    feed.subscribe(() => notified++);
    feed.ensure(0, 2);
    await settle(feed);
    expect(notified).toBeGreaterThan(0);
    feed.dispose();
    feed.ensure(9, 9);
    await settle(feed);
    expect(s.calls).toHaveLength(1);
  });
});

import type { MyWork } from "@labelbench/schema";
import { describe, expect, test } from "vitest";
import { createWorkNavigator, WORK_MAX_AGE_MS } from "./work-navigator";

/** The caller's to-do list served `size` at a time (cursors are offsets), and the server's next item. */
const fakeWork = (ids: number[], opts: { size?: number; next?: number | null } = {}) => {
  const size = opts.size ?? 2;
  const calls = { pages: [] as (string | undefined)[], next: 0 };
  let list = [...ids];
  let clock = 0;
  const api = {
    workList: async (_projectId: number, cursor: string | undefined): Promise<MyWork> => {
      calls.pages.push(cursor);
      const from = cursor ? Number(cursor) : 0;
      return {
        counts: { assigned: list.length, rework: 0, submitted: 0, accepted: 0, rejected: 0 },
        items: list
          .slice(from, from + size)
          .map((imageId) => ({ imageId, fileName: `${imageId}.jpg` }) as MyWork["items"][number]),
        nextCursor: from + size < list.length ? String(from + size) : null,
      };
    },
    nextWork: async () => {
      calls.next++;
      const id = opts.next ?? null;
      return { image: id === null ? null : { imageId: id } };
    },
  };
  const nav = createWorkNavigator({ api, projectId: 1, now: () => clock });
  return {
    nav,
    calls,
    setList: (next: number[]) => {
      list = next;
    },
    tick: (ms: number) => {
      clock += ms;
    },
  };
};

describe("work navigator (the editor's previous/next from My work)", () => {
  test("walks the to-do list in its order, reading pages only as far as needed", async () => {
    const w = fakeWork([10, 4, 7, 30, 2]);
    expect(await w.nav.neighbour(4, 1)).toBe(7);
    expect(w.calls.pages).toEqual([undefined, "2"]);
    expect(await w.nav.neighbour(4, -1)).toBe(10);
    expect(await w.nav.neighbour(10, -1)).toBeNull();
    expect(await w.nav.neighbour(30, 1)).toBe(2);
    expect(await w.nav.place(30)).toEqual({ position: 4, total: 5 });
  });

  test("past the end, next wraps to the items stepped over; an image not in the list goes to the first", async () => {
    const w = fakeWork([10, 4, 7]);
    expect(await w.nav.neighbour(7, 1)).toBe(10);
    expect(await w.nav.neighbour(99, 1)).toBe(10);
    expect(await w.nav.place(99)).toEqual({ position: 0, total: 3 });
  });

  test("with nothing else to do, only takeNext asks the server (which may lease from the queue)", async () => {
    const w = fakeWork([5], { next: 8 });
    expect(await w.nav.neighbour(5, 1)).toBeNull();
    expect(w.calls.next).toBe(0);
    expect(await w.nav.takeNext(5)).toBe(8);
    expect(w.calls.next).toBe(1);
  });

  test("takeNext does not hand back the image shown (the server's next is still this one)", async () => {
    const w = fakeWork([5], { next: 5 });
    expect(await w.nav.takeNext(5)).toBeNull();
  });

  test("takeNext prefers the caller's own list to the server", async () => {
    const w = fakeWork([5, 6], { next: 8 });
    expect(await w.nav.takeNext(5)).toBe(6);
    expect(w.calls.next).toBe(0);
  });

  test("the list is read again once it is older than the cache's age, or when invalidated", async () => {
    const w = fakeWork([1, 2]);
    expect(await w.nav.neighbour(1, 1)).toBe(2);
    w.setList([1, 3]);
    expect(await w.nav.neighbour(1, 1)).toBe(2);
    w.tick(WORK_MAX_AGE_MS + 1);
    expect(await w.nav.neighbour(1, 1)).toBe(3);
    w.setList([1, 4]);
    w.nav.invalidate();
    expect(await w.nav.neighbour(1, 1)).toBe(4);
  });
});

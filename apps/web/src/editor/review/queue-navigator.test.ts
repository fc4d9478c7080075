import type { ImageWork, ReviewQueuePage } from "@labelbench/schema";
import { describe, expect, test } from "vitest";
import { createQueueNavigator, QUEUE_MAX_AGE_MS } from "./queue-navigator";
import type { ReviewFilters } from "./review-scope";

const at = (minute: number) => `2026-12-07T01:${String(minute).padStart(2, "0")}:00.000Z`;

const item = (imageId: number, minute: number): ReviewQueuePage["items"][number] =>
  ({
    imageId,
    projectId: 1,
    assigneeId: 5,
    assignedVia: null,
    leaseUntil: null,
    reviewState: "pending",
    attempt: 1,
    inSample: true,
    submittedBy: 5,
    submittedAt: at(minute),
    submittedRevision: 1,
    decision: null,
    decidedBy: null,
    decidedAt: null,
    decidedRevision: null,
    stale: false,
    revision: 1,
    unresolvedIssues: 0,
    fileName: `img${imageId}.jpg`,
    annotationCount: 1,
  }) satisfies ImageWork & { fileName: string; annotationCount: number };

/** A queue server paging `items` (already in queue order) `size` at a time; cursors are offsets. */
const fakeQueue = (items: ReviewQueuePage["items"], size = 2) => {
  const calls: (string | undefined)[] = [];
  return {
    calls,
    items,
    api: {
      queuePage: async (
        _p: number,
        _f: ReviewFilters,
        cursor: string | undefined,
      ): Promise<ReviewQueuePage> => {
        calls.push(cursor);
        const from = cursor ? Number(cursor) : 0;
        const page = items.slice(from, from + size);
        return {
          items: page,
          nextCursor: from + size < items.length ? String(from + size) : null,
          total: items.length,
        };
      },
    },
  };
};

const filters: ReviewFilters = { state: "pending" };

describe("review queue navigator", () => {
  test("next and previous by submission order, loading pages only as far as needed", async () => {
    const q = fakeQueue([item(10, 1), item(11, 2), item(12, 3), item(13, 4), item(14, 5)]);
    const nav = createQueueNavigator({ api: q.api, projectId: 1, filters, now: () => 0 });
    expect(await nav.neighbour({ imageId: 10, submittedAt: at(1) }, 1)).toBe(11);
    expect(q.calls).toEqual([undefined]); // 11 comes after 10 on the first page already
    expect(await nav.neighbour({ imageId: 12, submittedAt: at(3) }, -1)).toBe(11);
    expect(q.calls).toEqual([undefined, "2"]);
    expect(await nav.neighbour({ imageId: 14, submittedAt: at(5) }, 1)).toBeNull();
    expect(await nav.neighbour({ imageId: 10, submittedAt: at(1) }, -1)).toBeNull();
  });

  test("the image just decided (gone from the queue) still finds the one after it; past the end it wraps", async () => {
    const q = fakeQueue([item(10, 1), item(12, 3), item(13, 4)]);
    const nav = createQueueNavigator({ api: q.api, projectId: 1, filters, now: () => 0 });
    // 11 was decided: it is no longer in the queue, but its submission time places it after 10.
    expect(await nav.neighbour({ imageId: 11, submittedAt: at(2) }, 1)).toBe(12);
    expect(await nav.neighbour({ imageId: 13, submittedAt: at(4) }, 1)).toBeNull();
    expect(await nav.neighbour({ imageId: 13, submittedAt: at(4) }, 1, { wrap: true })).toBe(10);
    expect(await nav.neighbour({ imageId: 10, submittedAt: at(1) }, 1, { wrap: true })).toBe(12);
  });

  test("equal submission times are ordered by id, as the server's keyset", async () => {
    const q = fakeQueue([item(3, 1), item(7, 1), item(9, 1)], 10);
    const nav = createQueueNavigator({ api: q.api, projectId: 1, filters, now: () => 0 });
    expect(await nav.neighbour({ imageId: 7, submittedAt: at(1) }, 1)).toBe(9);
    expect(await nav.neighbour({ imageId: 7, submittedAt: at(1) }, -1)).toBe(3);
  });

  test("pages are read again once old, and after a decision", async () => {
    let now = 0;
    const q = fakeQueue([item(10, 1), item(11, 2)], 10);
    const nav = createQueueNavigator({ api: q.api, projectId: 1, filters, now: () => now });
    await nav.neighbour({ imageId: 10, submittedAt: at(1) }, 1);
    await nav.neighbour({ imageId: 11, submittedAt: at(2) }, -1);
    expect(q.calls).toHaveLength(1);
    now = QUEUE_MAX_AGE_MS + 1;
    q.items.splice(1, 1); // someone decided 11
    expect(await nav.neighbour({ imageId: 10, submittedAt: at(1) }, 1)).toBeNull();
    expect(q.calls).toHaveLength(2);
    nav.invalidate();
    await nav.neighbour({ imageId: 10, submittedAt: at(1) }, 1);
    expect(q.calls).toHaveLength(3);
  });
});

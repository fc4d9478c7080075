import type { MyWork } from "@labelbench/schema";
import { createPagedCache } from "./paged-cache";

/**
 * The editor's previous and next in work mode (`?mode=work`, opened from My work): the annotator's
 * own to-do list (rework and assignments, in the list's order), not the library. Past the end,
 * next wraps to the items stepped over; with nothing else to do it asks the server for the next
 * work item, which may lease a new image from the project's queue.
 */
export interface WorkNavigator {
  /** The to-do item before (-1) or after (1) `imageId`; after the last, the first one stepped over. */
  neighbour(imageId: number, step: 1 | -1): Promise<number | null>;
  /** Next, or with nothing else in the list, the server's next work item (it may lease one: `D` only). */
  takeNext(imageId: number): Promise<number | null>;
  /** Where `imageId` stands in the to-do list (1-based; 0 when it is not in it) and how long it is. */
  place(imageId: number): Promise<{ position: number; total: number }>;
  /** The list moved (a submission): read it afresh next time. */
  invalidate(): void;
}

/** Cached pages are read again after this long: a manager may assign or take back images meanwhile. */
export const WORK_MAX_AGE_MS = 30_000;

export const createWorkNavigator = (deps: {
  api: {
    workList(projectId: number, cursor: string | undefined): Promise<MyWork>;
    nextWork(projectId: number): Promise<{ image: { imageId: number } | null }>;
  };
  projectId: number;
  now: () => number;
}): WorkNavigator => {
  let total = 0;
  const list = createPagedCache<number>({
    load: (cursor) =>
      deps.api.workList(deps.projectId, cursor).then((page) => {
        total = page.counts.assigned + page.counts.rework;
        return { items: page.items.map((it) => it.imageId), nextCursor: page.nextCursor };
      }),
    now: deps.now,
    maxAgeMs: WORK_MAX_AGE_MS,
  });
  /** Loaded until the item after `imageId` is known (or the list ends). */
  const around = (imageId: number) =>
    list.loadUntil((ids) => {
      const i = ids.indexOf(imageId);
      return i >= 0 && i + 1 < ids.length;
    });

  const navigator: WorkNavigator = {
    neighbour: async (imageId, step) => {
      const ids = await around(imageId);
      const i = ids.indexOf(imageId);
      if (step === -1) return i > 0 ? (ids[i - 1] ?? null) : null;
      const after = i >= 0 ? ids[i + 1] : undefined;
      if (after !== undefined) return after;
      return ids.find((id) => id !== imageId) ?? null;
    },
    takeNext: async (imageId) => {
      const own = await navigator.neighbour(imageId, 1);
      if (own !== null) return own;
      // Nothing else of theirs: the server's next work item (a new image from the queue, if it is on).
      const next = await deps.api.nextWork(deps.projectId);
      list.invalidate();
      return next.image && next.image.imageId !== imageId ? next.image.imageId : null;
    },
    place: async (imageId) => {
      const ids = await around(imageId);
      const i = ids.indexOf(imageId);
      return { position: i + 1, total: Math.max(total, ids.length) };
    },
    invalidate: list.invalidate,
  };
  return navigator;
};

import { createPagedCache } from "./paged-cache";
import type { ReviewFilters } from "./review-scope";
import type { WorkflowApi } from "./workflow-api";

/** An image's place in the review queue's order: oldest submission first, then id (the server's keyset). */
export interface QueueKey {
  imageId: number;
  submittedAt: string | null;
}

/** Orders as the server does; an image never submitted comes before all. */
export const compareKeys = (a: QueueKey, b: QueueKey): number => {
  if (a.submittedAt !== b.submittedAt) {
    if (a.submittedAt === null) return -1;
    if (b.submittedAt === null) return 1;
    return a.submittedAt < b.submittedAt ? -1 : 1;
  }
  return a.imageId - b.imageId;
};

export interface QueueNavigator {
  /**
   * The image after (1) or before (-1) `current` in the queue. By key, not by position, so it holds
   * when `current` has just left the queue (decided) or was never in it. `wrap`: past the end, the
   * first image still waiting (the ones stepped over).
   */
  neighbour(current: QueueKey, step: 1 | -1, opts?: { wrap?: boolean }): Promise<number | null>;
  /** The queue moved (a decision): read it afresh next time. */
  invalidate(): void;
}

/** Cached pages are read again after this long: other reviewers take images from the queue too. */
export const QUEUE_MAX_AGE_MS = 30_000;

export const createQueueNavigator = (deps: {
  api: Pick<WorkflowApi, "queuePage">;
  projectId: number;
  filters: ReviewFilters;
  now: () => number;
}): QueueNavigator => {
  const queue = createPagedCache<QueueKey>({
    load: (cursor) =>
      deps.api.queuePage(deps.projectId, deps.filters, cursor).then((page) => ({
        items: page.items.map((it) => ({ imageId: it.imageId, submittedAt: it.submittedAt })),
        nextCursor: page.nextCursor,
      })),
    now: deps.now,
    maxAgeMs: QUEUE_MAX_AGE_MS,
  });

  return {
    neighbour: async (current, step, opts) => {
      // Pages until one holds an image ordered after `current`, or the queue ends.
      const items = await queue.loadUntil((loaded) => {
        const last = loaded[loaded.length - 1];
        return last !== undefined && compareKeys(last, current) > 0;
      });
      const others = items.filter((k) => k.imageId !== current.imageId);
      if (step === 1) {
        const after = others.find((k) => compareKeys(k, current) > 0);
        if (after) return after.imageId;
        return opts?.wrap ? (others[0]?.imageId ?? null) : null;
      }
      const before = others.filter((k) => compareKeys(k, current) < 0);
      return before[before.length - 1]?.imageId ?? null;
    },
    invalidate: queue.invalidate,
  };
};

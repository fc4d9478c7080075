/**
 * A list the server pages out (the review queue, the annotator's own work), read page by page only
 * as far as a question needs and read afresh once it is older than `maxAgeMs`: other people take
 * images from these lists too. Shared by the review queue's and the work list's navigators.
 */
export interface PagedCache<T> {
  /** Loads pages until `enough(items)` holds or the list ends; returns everything loaded. */
  loadUntil(enough: (items: readonly T[]) => boolean): Promise<readonly T[]>;
  /** Loads the whole list. */
  loadAll(): Promise<readonly T[]>;
  /** The list moved (a decision, a submission): read it afresh next time. */
  invalidate(): void;
}

export const createPagedCache = <T>(deps: {
  load(cursor: string | undefined): Promise<{ items: readonly T[]; nextCursor: string | null }>;
  now(): number;
  maxAgeMs: number;
}): PagedCache<T> => {
  let items: T[] = [];
  let cursor: string | null | undefined; // undefined: nothing loaded yet; null: all loaded
  let loadedAt = 0;
  let loading: Promise<void> | null = null;

  const invalidate = () => {
    items = [];
    cursor = undefined;
  };

  const loadMore = (): Promise<void> => {
    loading ??= deps
      .load(cursor ?? undefined)
      .then((page) => {
        if (cursor === undefined) loadedAt = deps.now();
        items.push(...page.items);
        cursor = page.nextCursor;
      })
      .finally(() => {
        loading = null;
      });
    return loading;
  };

  const loadUntil = async (enough: (items: readonly T[]) => boolean) => {
    if (cursor !== undefined && deps.now() - loadedAt > deps.maxAgeMs) invalidate();
    if (cursor === undefined) await loadMore();
    while (cursor !== null && !enough(items)) await loadMore();
    return items;
  };

  return { loadUntil, loadAll: () => loadUntil(() => false), invalidate };
};

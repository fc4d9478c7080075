import { DEFAULT_SORT_ORDER, type ImageSort, type ImageStatus, type SortOrder } from "@labelbench/schema";

/**
 * The library's orders as SQL: each sorts by a few key columns and then by id, so the order is total
 * and a page continues from the last image's keys (keyset paging) with a range scan of the order's
 * index (migration 0010), ascending or descending.
 */

export type KeyColumn = "name_key" | "status_rank" | "annotation_count" | "updated_at" | "id";

const KEYS: Record<ImageSort, readonly KeyColumn[]> = {
  name: ["name_key", "id"],
  added: ["id"],
  status: ["status_rank", "name_key", "id"],
  annotations: ["annotation_count", "name_key", "id"],
  // Name before id: one upload or import writes many rows in the same millisecond, and SQLite seeks
  // a row value on the index's named columns only (id is the rowid), so ties must be rare there.
  edited: ["updated_at", "name_key", "id"],
};
const TEXT_KEYS = new Set<KeyColumn>(["name_key", "updated_at"]);

/** Workflow order, as the generated column `images.status_rank` computes it. */
export const STATUS_RANK: Record<ImageStatus, number> = { new: 0, in_progress: 1, done: 2, skipped: 3 };

export type KeyValue = string | number;

export interface ImageOrder {
  sort: ImageSort;
  order: SortOrder;
}

export const resolveOrder = (q: { sort: ImageSort; order?: SortOrder | undefined }): ImageOrder => ({
  sort: q.sort,
  order: q.order ?? DEFAULT_SORT_ORDER[q.sort],
});

/** An order's key columns, their direction and the comparisons a walk needs (repo.ts writes the SQL). */
export const orderSql = (o: ImageOrder) => {
  const dir = (forward: boolean) => ((o.order === "asc") === forward ? "asc" : "desc");
  return {
    columns: KEYS[o.sort],
    /** The direction of every key column walking forward (the list's order) or backward. */
    direction: dir,
    /** Comparing the key columns with a key: rows after it (forward) or before it, in the list's order. */
    beyond: (forward = true): ">" | "<" => (dir(forward) === "asc" ? ">" : "<"),
    /** Rows up to and including the key, in the list's order (for the position). */
    upTo: (): "<=" | ">=" => (o.order === "asc" ? "<=" : ">="),
  };
};

/** The key of a row in an order: its key columns' values, id last. */
export const keyOf = (o: ImageOrder, row: Record<KeyColumn, unknown>): KeyValue[] =>
  KEYS[o.sort].map((c) => row[c] as KeyValue);

/**
 * Cursors are opaque to clients: base64url of the order and the last image's key. They carry the key
 * rather than the id alone, so an image edited meanwhile (its count or time changed) does not make
 * the next page skip or repeat images.
 */
export const encodeCursor = (o: ImageOrder, key: readonly KeyValue[]) =>
  Buffer.from(JSON.stringify([o.sort, o.order, ...key])).toString("base64url");

export type DecodedCursor =
  | { ok: true; key: KeyValue[] }
  | { ok: false; reason: "malformed" | "other-order"; sort?: string; order?: string };

export const decodeCursor = (cursor: string, o: ImageOrder): DecodedCursor => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== "string" || typeof parsed[1] !== "string")
    return { ok: false, reason: "malformed" };
  const [sort, order, ...key] = parsed as [string, string, ...unknown[]];
  if (sort !== o.sort || order !== o.order) return { ok: false, reason: "other-order", sort, order };
  const cols = KEYS[o.sort];
  if (key.length !== cols.length) return { ok: false, reason: "malformed" };
  const typed = cols.every((c, i) =>
    TEXT_KEYS.has(c) ? typeof key[i] === "string" : Number.isSafeInteger(key[i]),
  );
  return typed ? { ok: true, key: key as KeyValue[] } : { ok: false, reason: "malformed" };
};

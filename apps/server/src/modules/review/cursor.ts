import { AppError } from "../../http/errors.js";

/**
 * The workflow lists' keyset cursors: the order they continue ("name": name_key, "submitted":
 * submitted_at) and the last row's key and id, as base64url JSON. A cursor of another list or
 * not made here is a 400 naming `query.cursor`.
 */
type CursorOrder = "name" | "submitted";

export const encodeWorkCursor = (order: CursorOrder, key: string, id: number): string =>
  Buffer.from(JSON.stringify([order, key, id])).toString("base64url");

export const decodeWorkCursor = (cursor: string, order: CursorOrder): { key: string; id: number } => {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    v = undefined;
  }
  if (Array.isArray(v) && v[0] === order && typeof v[1] === "string" && Number.isSafeInteger(v[2]))
    return { key: v[1], id: v[2] as number };
  throw new AppError("VALIDATION_ERROR", "query.cursor: not a cursor of this list; start again without one", [
    { path: "query.cursor", message: "not a cursor this list issued" },
  ]);
};

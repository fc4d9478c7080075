/**
 * The JSON of an annotation set, spliced from the rows as stored: a dense image's GET spent most of
 * its time parsing 12,000 stored geometries and serialising them again (100+ ms). A geometry is
 * spliced only when its stored text is exactly what JSON.stringify writes for a valid geometry (keys in
 * order, finite numbers, at least 3 points); every other field is checked as the schema would. Any row
 * that does not pass makes the caller take the ordinary path (parse, check, serialise), so the reply is
 * the same either way — set-json.test.ts compares the two.
 */

export interface StoredRow {
  uid: string;
  label_id: number;
  geometry: string;
  created_by: string | null;
  updated_by: string | null;
  created_at: string;
  updated_at: string;
  /** Absent or null: a shape drawn by hand. */
  prediction_id?: number | null;
  /** Attribute values as JSON (written only from checked values), or null for none. */
  attributes: string | null;
}

// A JSON number that is finite once parsed (no exponent or digit run that overflows a double).
const NUM = String.raw`-?(?:0|[1-9]\d{0,19})(?:\.\d{1,20})?(?:[eE](?:-\d{1,3}|\+?\d{1,2}))?`;
const BOX = new RegExp(String.raw`^\{"type":"box","x":${NUM},"y":${NUM},"width":${NUM},"height":${NUM}\}$`);
const ANNOTATION_ID = /^[A-Za-z0-9_-]{1,64}$/;
// One point at a time (sticky: matched exactly at lastIndex). A single regex over the whole point
// list backtracked through a stack as deep as the list: a polygon of ~300,000 vertices threw
// "Maximum call stack size exceeded" and every GET of its image answered 500.
const FIRST_POINT = new RegExp(String.raw`\[${NUM},${NUM}\]`, "y");
const NEXT_POINT = new RegExp(String.raw`,\[${NUM},${NUM}\]`, "y");
const POLYGON_HEAD = '{"type":"polygon","points":[';
const POLYGON_TAIL = "]}";

/** True when `json` is `{"type":"polygon","points":[[x,y],...]}` with at least 3 points; iterative. */
const isCanonicalPolygon = (json: string): boolean => {
  if (!json.startsWith(POLYGON_HEAD) || !json.endsWith(POLYGON_TAIL)) return false;
  const end = json.length - POLYGON_TAIL.length;
  let at = POLYGON_HEAD.length;
  let points = 0;
  while (at < end) {
    const point = points === 0 ? FIRST_POINT : NEXT_POINT;
    point.lastIndex = at;
    if (!point.test(json)) return false;
    at = point.lastIndex;
    points++;
  }
  return at === end && points >= 3;
};

const isCanonicalGeometry = (json: string) =>
  json.startsWith('{"type":"box"') ? BOX.test(json) : isCanonicalPolygon(json);

/** Null, or a JSON object of values as the server writes it (JSON.stringify of a checked object). */
const isAttributesText = (v: unknown): boolean => {
  if (v === null) return true;
  if (typeof v !== "string" || !v.startsWith("{") || !v.endsWith("}")) return false;
  try {
    const parsed: unknown = JSON.parse(v);
    return (
      typeof parsed === "object" &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      Object.values(parsed).every((x) => ["boolean", "number", "string"].includes(typeof x)) &&
      JSON.stringify(parsed) === v
    );
  } catch {
    return false;
  }
};

const isId = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
const isStringOrNull = (v: unknown) => v === null || typeof v === "string";

/** The set's JSON, or null when some row is not in the canonical form (use the ordinary path). */
export const annotationSetJson = (
  imageId: number,
  revision: number,
  rows: readonly StoredRow[],
  tags: readonly number[],
): string | null => {
  if (!isId(imageId) || !Number.isSafeInteger(revision) || revision < 0 || !tags.every(isId)) return null;
  const parts: string[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as StoredRow;
    if (
      !ANNOTATION_ID.test(r.uid) ||
      !isId(r.label_id) ||
      !isStringOrNull(r.created_by) ||
      !isStringOrNull(r.updated_by) ||
      typeof r.created_at !== "string" ||
      typeof r.updated_at !== "string" ||
      !(r.prediction_id === undefined || r.prediction_id === null || isId(r.prediction_id)) ||
      !isAttributesText(r.attributes) ||
      !isCanonicalGeometry(r.geometry)
    )
      return null;
    parts[i] =
      `{"id":"${r.uid}","labelId":${r.label_id},"geometry":${r.geometry},` +
      `"createdBy":${JSON.stringify(r.created_by)},"updatedBy":${JSON.stringify(r.updated_by)},` +
      `"createdAt":${JSON.stringify(r.created_at)},"updatedAt":${JSON.stringify(r.updated_at)}` +
      (r.prediction_id === undefined || r.prediction_id === null
        ? ""
        : `,"predictionId":${r.prediction_id}`) +
      (r.attributes === null ? "}" : `,"attributes":${r.attributes}}`);
  }
  return `{"imageId":${imageId},"revision":${revision},"annotations":[${parts.join(",")}],"tags":[${tags.join(",")}]}`;
};

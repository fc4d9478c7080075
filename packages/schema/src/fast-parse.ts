import { MAX_TEXT_ATTRIBUTE_LENGTH } from "./attributes.js";
import { type Annotation, AnnotationSet, type Geometry } from "./domain.js";

/**
 * Annotation sets of dense images are big (12,000 shapes: 5 MB of JSON) and zod spends 100-200 ms
 * checking one, on the server before it replies and again in the browser when the reply arrives. This
 * hand-written check does the same in a few ms. It accepts only what the zod schema accepts, returns
 * what zod would return (a copy with the known keys only), and hands anything it does not accept to
 * zod, so a bad value is refused with exactly the schema's own error. fast-parse.test.ts holds the two
 * to agreement on valid and broken sets.
 */

const isId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
const isCoord = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const ANNOTATION_ID = /^[A-Za-z0-9_-]+$/;
const isAnnotationId = (v: unknown): v is string =>
  typeof v === "string" && v.length >= 1 && v.length <= 64 && ANNOTATION_ID.test(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

const geometryOf = (g: unknown): Geometry | null => {
  if (!isObject(g)) return null;
  if (g.type === "box") {
    const { x, y, width, height } = g;
    return isCoord(x) && isCoord(y) && isCoord(width) && isCoord(height)
      ? { type: "box", x, y, width, height }
      : null;
  }
  if (g.type === "polygon") {
    const pts = g.points;
    if (!Array.isArray(pts) || pts.length < 3) return null;
    const points: [number, number][] = new Array(pts.length);
    for (let i = 0; i < pts.length; i++) {
      const p: unknown = pts[i];
      if (!Array.isArray(p) || p.length !== 2 || !isCoord(p[0]) || !isCoord(p[1])) return null;
      points[i] = [p[0], p[1]];
    }
    return { type: "polygon", points };
  }
  return null;
};

const stringOrNull = (v: unknown): v is string | null => v === null || typeof v === "string";

/** Attribute values as AttributeValues accepts them (a copy), or null to leave the set to zod. */
const attributesOf = (v: unknown): Record<string, boolean | number | string> | null => {
  if (!isObject(v) || Array.isArray(v)) return null;
  const out: Record<string, boolean | number | string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (
      typeof x === "boolean" ||
      isCoord(x) ||
      (typeof x === "string" && x.length <= MAX_TEXT_ATTRIBUTE_LENGTH)
    )
      out[k] = x;
    else return null;
  }
  return out;
};

const annotationOf = (a: unknown): Annotation | null => {
  if (!isObject(a)) return null;
  const { id, labelId, createdBy, updatedBy, createdAt, updatedAt } = a;
  if (!isAnnotationId(id) || !isId(labelId) || !stringOrNull(createdBy) || !stringOrNull(updatedBy))
    return null;
  if (typeof createdAt !== "string" || typeof updatedAt !== "string") return null;
  const geometry = geometryOf(a.geometry);
  if (!geometry) return null;
  const out: Annotation = { id, labelId, geometry, createdBy, updatedBy, createdAt, updatedAt };
  // The prediction a shape was accepted from (issue 17): optional, an id when present.
  const { predictionId } = a;
  if (predictionId !== undefined) {
    if (!isId(predictionId)) return null;
    out.predictionId = predictionId;
  }
  if (a.attributes !== undefined) {
    const attributes = attributesOf(a.attributes);
    if (!attributes) return null;
    out.attributes = attributes;
  }
  return out;
};

/** The set when `value` is a valid AnnotationSet, else null (nothing thrown). */
export const checkAnnotationSet = (value: unknown): AnnotationSet | null => {
  if (!isObject(value)) return null;
  const { imageId, revision, annotations, tags } = value;
  if (!isId(imageId) || typeof revision !== "number" || !Number.isSafeInteger(revision) || revision < 0)
    return null;
  if (!Array.isArray(annotations) || !Array.isArray(tags) || !tags.every(isId)) return null;
  const out: Annotation[] = new Array(annotations.length);
  for (let i = 0; i < annotations.length; i++) {
    const a = annotationOf(annotations[i]);
    if (!a) return null;
    out[i] = a;
  }
  return { imageId, revision, annotations: out, tags: [...tags] };
};

/** AnnotationSet.parse, fast for valid sets; throws the schema's ZodError for invalid ones. */
export const parseAnnotationSet = (value: unknown): AnnotationSet =>
  checkAnnotationSet(value) ?? AnnotationSet.parse(value);

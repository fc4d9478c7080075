import { checkBox, checkPolygon } from "@labelbench/geometry";
import {
  type AnnotationInput,
  type AttributeValues,
  checkAttributeValues,
  type FieldIssue,
  type Geometry,
  type Label,
  orderedAttributeValues,
} from "@labelbench/schema";

export interface ValidatedAnnotation {
  id: string | undefined;
  labelId: number;
  geometry: Geometry;
  /** The prediction (issue 17) this save accepts as the shape, when it names one. */
  predictionId?: number | undefined;
  /** Checked against the label's definitions, in their order; absent when the shape has none. */
  attributes?: AttributeValues;
}

/** What validation reads of a label. */
export type LabelRules = Pick<Label, "name" | "shapeTypes" | "scope" | "attributes">;

/** Who the shape at `at` is, for messages: "shape 2 (id "b7")". */
const shapeName = (at: string, id: string | undefined) => {
  const index = at.slice(at.lastIndexOf(".") + 1);
  return id === undefined ? `shape ${index}` : `shape ${index} ("${id}")`;
};

/**
 * Checks submitted shapes against the image and the label set. Geometry slightly outside the image
 * (within the tolerance) is clamped; beyond it, or degenerate, is refused with the field path
 * (`${field}.${index}...`). Ids already in `seen` (or seen twice here) are reported as duplicates.
 */
export const validateAnnotations = (
  list: readonly AnnotationInput[],
  field: string,
  image: { width: number; height: number },
  labels: ReadonlyMap<number, LabelRules>,
  issues: FieldIssue[],
  seen: Set<string> = new Set(),
): ValidatedAnnotation[] => {
  const out: ValidatedAnnotation[] = [];
  list.forEach((a, i) => {
    const at = `${field}.${i}`;
    if (a.id !== undefined) {
      if (seen.has(a.id)) issues.push({ path: `${at}.id`, message: `duplicate annotation id "${a.id}"` });
      seen.add(a.id);
    }
    const label = labels.get(a.labelId);
    if (!label) {
      issues.push({
        path: `${at}.labelId`,
        message: `label ${a.labelId} is not in this project's label set`,
      });
      return;
    }
    if (label.scope === "tags") {
      issues.push({
        path: `${at}.labelId`,
        message: `label "${label.name}" is for whole-image tags only, not shapes`,
      });
      return;
    }
    if (!label.shapeTypes.includes(a.geometry.type)) {
      issues.push({
        path: `${at}.geometry.type`,
        message: `label "${label.name}" does not allow ${a.geometry.type} shapes`,
      });
      return;
    }
    const values = a.attributes ?? {};
    const problems = checkAttributeValues(values, label.attributes, label.name);
    for (const p of problems)
      issues.push({ path: `${at}.attributes.${p.name}`, message: `${shapeName(at, a.id)}: ${p.message}` });
    const ordered = orderedAttributeValues(values, label.attributes);
    const attributes = Object.keys(ordered).length > 0 ? { attributes: ordered } : {};
    const g = a.geometry;
    if (g.type === "box") {
      const r = checkBox(g, image);
      if (!r.ok) issues.push({ path: `${at}.geometry`, message: r.reason });
      else if (problems.length === 0)
        out.push({
          id: a.id,
          labelId: a.labelId,
          geometry: { type: "box", ...r.value },
          ...(a.predictionId === undefined ? {} : { predictionId: a.predictionId }),
          ...attributes,
        });
    } else {
      const r = checkPolygon(g.points, image);
      if (!r.ok) issues.push({ path: `${at}.geometry.points`, message: r.reason });
      else if (problems.length === 0)
        out.push({
          id: a.id,
          labelId: a.labelId,
          geometry: { type: "polygon", points: r.value.map(([x, y]) => [x, y]) },
          ...(a.predictionId === undefined ? {} : { predictionId: a.predictionId }),
          ...attributes,
        });
    }
  });
  return out;
};

/** The tags without repeats, each checked against the label set. */
export const validateTags = (
  input: readonly number[],
  labels: ReadonlyMap<number, Pick<Label, "name" | "scope">>,
  issues: FieldIssue[],
): number[] => {
  const tags = [...new Set(input)];
  tags.forEach((t, i) => {
    const label = labels.get(t);
    if (!label) issues.push({ path: `tags.${i}`, message: `label ${t} is not in this project's label set` });
    else if (label.scope === "shapes")
      issues.push({
        path: `tags.${i}`,
        message: `label "${label.name}" is for shapes only, not whole-image tags`,
      });
  });
  return tags;
};

/** Checks a whole submitted set (PUT). */
export const validateAnnotationSet = (
  input: { annotations: AnnotationInput[]; tags: number[] },
  image: { width: number; height: number },
  labels: ReadonlyMap<number, LabelRules>,
): { ok: true; annotations: ValidatedAnnotation[]; tags: number[] } | { ok: false; issues: FieldIssue[] } => {
  const issues: FieldIssue[] = [];
  const annotations = validateAnnotations(input.annotations, "annotations", image, labels, issues);
  const tags = validateTags(input.tags, labels, issues);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, annotations, tags };
};

import { z } from "zod";

/**
 * Attributes per label (issue 18): what a shape of that label also says about the object —
 * occluded (checkbox), colour (one of a list), a count (number), a note (text). A label defines
 * them; each shape holds a value per attribute name (`Annotation.attributes`). The server checks
 * every save against the label's definitions with `checkAttributeValues`; the editor, the imports
 * and a definition change all go through the same functions, so no two sides disagree on a value.
 */

export const MAX_ATTRIBUTES_PER_LABEL = 32;
export const MAX_ATTRIBUTE_NAME_LENGTH = 64;
export const MAX_CHOICE_VALUES = 100;
export const MAX_CHOICE_VALUE_LENGTH = 100;
/** The longest text attribute a label may allow. */
export const MAX_TEXT_ATTRIBUTE_LENGTH = 1000;

export const AttributeKind = z.enum(["checkbox", "choice", "number", "text"]);
export type AttributeKind = z.infer<typeof AttributeKind>;

const AttributeName = z
  .string()
  .trim()
  .min(1, "attribute name must not be empty")
  .max(MAX_ATTRIBUTE_NAME_LENGTH, `attribute name: at most ${MAX_ATTRIBUTE_NAME_LENGTH} characters`);

const finite = z.number().refine(Number.isFinite, "must be a finite number");

const Common = { name: AttributeName, required: z.boolean().default(false) };

export const CheckboxAttribute = z.object({
  ...Common,
  kind: z.literal("checkbox"),
  default: z.boolean().default(false),
});
export const ChoiceAttribute = z.object({
  ...Common,
  kind: z.literal("choice"),
  values: z
    .array(z.string().trim().min(1, "a choice must not be empty").max(MAX_CHOICE_VALUE_LENGTH))
    .min(1, "a choice attribute needs at least one value")
    .max(MAX_CHOICE_VALUES),
  default: z.string().nullable().default(null),
});
export const NumberAttribute = z.object({
  ...Common,
  kind: z.literal("number"),
  min: finite.nullable().default(null),
  max: finite.nullable().default(null),
  step: finite.positive("step must be above 0").nullable().default(null),
  default: finite.nullable().default(null),
});
export const TextAttribute = z.object({
  ...Common,
  kind: z.literal("text"),
  maxLength: z.number().int().min(1).max(MAX_TEXT_ATTRIBUTE_LENGTH).default(200),
  default: z.string().nullable().default(null),
});

const AttributeDefinitionUnchecked = z.discriminatedUnion("kind", [
  CheckboxAttribute,
  ChoiceAttribute,
  NumberAttribute,
  TextAttribute,
]);
export type AttributeDefinition = z.output<typeof AttributeDefinitionUnchecked>;
export type AttributeDefinitionInput = z.input<typeof AttributeDefinitionUnchecked>;

/** A stored or sent value: checkbox → boolean, number → number, choice and text → string. */
export const AttributeValue = z.union([z.boolean(), finite, z.string().max(MAX_TEXT_ATTRIBUTE_LENGTH)]);
export type AttributeValue = z.infer<typeof AttributeValue>;
export const AttributeValues = z.record(z.string(), AttributeValue);
export type AttributeValues = z.infer<typeof AttributeValues>;

/** Why `value` does not fit `def`, or null when it does. */
export const attributeValueProblem = (def: AttributeDefinition, value: unknown): string | null => {
  switch (def.kind) {
    case "checkbox":
      return typeof value === "boolean" ? null : `must be true or false, not ${JSON.stringify(value)}`;
    case "choice":
      if (typeof value !== "string")
        return `must be one of its choices (a string), not ${JSON.stringify(value)}`;
      return def.values.includes(value)
        ? null
        : `"${value}" is not one of ${def.values.map((v) => `"${v}"`).join(", ")}`;
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value))
        return `must be a number, not ${JSON.stringify(value)}`;
      if (def.min !== null && value < def.min) return `${value} is below the minimum ${def.min}`;
      if (def.max !== null && value > def.max) return `${value} is above the maximum ${def.max}`;
      if (def.step !== null && !onStep(value, def.min ?? 0, def.step))
        return `${value} is not a multiple of the step ${def.step}${def.min ? ` from ${def.min}` : ""}`;
      return null;
    }
    case "text":
      if (typeof value !== "string") return `must be text, not ${JSON.stringify(value)}`;
      return value.length > def.maxLength ? `${value.length} characters; at most ${def.maxLength}` : null;
  }
};

/** Whether `value` is `base` plus a whole number of steps, allowing for decimal steps' float noise. */
const onStep = (value: number, base: number, step: number): boolean => {
  const n = (value - base) / step;
  return Math.abs(n - Math.round(n)) < 1e-9 * Math.max(1, Math.abs(n));
};

/** The definition's default as a value, or undefined when it has none. */
export const attributeDefault = (def: AttributeDefinition): AttributeValue | undefined =>
  def.default === null ? undefined : def.default;

/**
 * Label attribute definitions as a label sends them: names unique (case-insensitively), each
 * default a valid value of its attribute, a number's min not above its max, choices unique.
 */
export const AttributeDefinitions = z
  .array(AttributeDefinitionUnchecked)
  .max(MAX_ATTRIBUTES_PER_LABEL, `at most ${MAX_ATTRIBUTES_PER_LABEL} attributes per label`)
  .superRefine((defs, ctx) => {
    const seen = new Set<string>();
    defs.forEach((d, i) => {
      const key = d.name.toLocaleLowerCase("en-US");
      if (seen.has(key))
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message: `attribute "${d.name}" is defined twice`,
        });
      seen.add(key);
      if (d.kind === "choice" && new Set(d.values).size !== d.values.length)
        ctx.addIssue({
          code: "custom",
          path: [i, "values"],
          message: `attribute "${d.name}" lists a choice twice`,
        });
      if (d.kind === "number" && d.min !== null && d.max !== null && d.min > d.max)
        ctx.addIssue({
          code: "custom",
          path: [i, "max"],
          message: `attribute "${d.name}": max ${d.max} is below min ${d.min}`,
        });
      const dv = attributeDefault(d);
      const problem = dv === undefined ? null : attributeValueProblem(d, dv);
      if (problem)
        ctx.addIssue({
          code: "custom",
          path: [i, "default"],
          message: `attribute "${d.name}" default: ${problem}`,
        });
    });
  });

export interface AttributeProblem {
  /** The attribute's name (as the value map spells it). */
  readonly name: string;
  readonly message: string;
}

/**
 * Every problem of `values` against `defs`: an attribute the label does not define, a value of
 * the wrong type or out of range, a required attribute without a value.
 */
export const checkAttributeValues = (
  values: Readonly<Record<string, unknown>>,
  defs: readonly AttributeDefinition[],
  labelName: string,
): AttributeProblem[] => {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const out: AttributeProblem[] = [];
  for (const [name, value] of Object.entries(values)) {
    const def = byName.get(name);
    if (!def) {
      out.push({
        name,
        message:
          defs.length === 0
            ? `label "${labelName}" has no attributes; "${name}" is not one`
            : `label "${labelName}" has no attribute "${name}" (it has ${defs.map((d) => `"${d.name}"`).join(", ")})`,
      });
      continue;
    }
    const problem = attributeValueProblem(def, value);
    if (problem) out.push({ name, message: `attribute "${name}" of label "${labelName}": ${problem}` });
  }
  for (const d of defs)
    if (d.required && !(d.name in values))
      out.push({ name: d.name, message: `attribute "${d.name}" of label "${labelName}" is required` });
  return out;
};

/** Each attribute with a default, at its default: what a newly drawn shape of the label starts with. */
export const defaultAttributeValues = (defs: readonly AttributeDefinition[]): AttributeValues => {
  const out: AttributeValues = {};
  for (const d of defs) {
    const v = attributeDefault(d);
    if (v !== undefined) out[d.name] = v;
  }
  return out;
};

/**
 * Values carried over to other definitions (a shape relabelled, a label's attributes edited, a
 * label's shapes moved to another): a value whose attribute still exists and still accepts it is
 * kept; the others are dropped (and counted); attributes without a value take their default.
 */
export const conformAttributeValues = (
  values: Readonly<AttributeValues> | undefined,
  defs: readonly AttributeDefinition[],
): { values: AttributeValues; dropped: string[] } => {
  const out: AttributeValues = {};
  const dropped: string[] = [];
  const byName = new Map(defs.map((d) => [d.name, d]));
  for (const [name, value] of Object.entries(values ?? {})) {
    const def = byName.get(name);
    if (def && attributeValueProblem(def, value) === null) out[name] = value;
    else dropped.push(name);
  }
  for (const d of defs) {
    const v = attributeDefault(d);
    if (!(d.name in out) && v !== undefined) out[d.name] = v;
  }
  return { values: out, dropped };
};

/**
 * The values as stored and written to files: keys in the label's definition order, so equal
 * values are equal text (round trips are byte-identical) whatever order a client sent them in.
 */
export const orderedAttributeValues = (
  values: Readonly<AttributeValues>,
  defs: readonly AttributeDefinition[],
): AttributeValues => {
  const out: AttributeValues = {};
  for (const d of defs) {
    const v = values[d.name];
    if (v !== undefined) out[d.name] = v;
  }
  return out;
};

/** Equal values, whatever their key order; no values and `{}` are equal. */
export const sameAttributeValues = (
  a: Readonly<AttributeValues> | undefined,
  b: Readonly<AttributeValues> | undefined,
): boolean => {
  if (a === b) return true;
  const x = Object.keys(a ?? {});
  const y = Object.keys(b ?? {});
  return x.length === y.length && x.every((k) => a?.[k] === b?.[k]);
};

/** Where a label applies: drawn shapes, whole-image tags, or both (the default). */
export const LabelScope = z.enum(["both", "shapes", "tags"]);
export type LabelScope = z.infer<typeof LabelScope>;
export const labelAllowsShapes = (scope: LabelScope) => scope !== "tags";
export const labelAllowsTags = (scope: LabelScope) => scope !== "shapes";

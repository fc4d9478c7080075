import {
  type AttributeDefinition,
  type AttributeValue,
  type AttributeValues,
  attributeDefault,
  attributeValueProblem,
  MAX_TEXT_ATTRIBUTE_LENGTH,
  orderedAttributeValues,
} from "@labelbench/schema";

/** A file's value before it is typed: COCO's JSON types, VOC's element text. */
export type RawAttributeValue = boolean | number | string;

const NUMBER_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** The kind a new attribute gets from the first value met: VOC's texts read as what they spell. */
const definitionFor = (name: string, raw: RawAttributeValue): AttributeDefinition => {
  const kind =
    typeof raw === "boolean" || raw === "true" || raw === "false"
      ? "checkbox"
      : typeof raw === "number" || NUMBER_TEXT.test(raw)
        ? "number"
        : "text";
  if (kind === "checkbox") return { name, kind, required: false, default: false };
  if (kind === "number")
    return { name, kind, required: false, min: null, max: null, step: null, default: null };
  return { name, kind, required: false, maxLength: MAX_TEXT_ATTRIBUTE_LENGTH, default: null };
};

/** `raw` as a value of `def`'s kind, or why it cannot be one. */
const typed = (def: AttributeDefinition, raw: RawAttributeValue): AttributeValue | { problem: string } => {
  switch (def.kind) {
    case "checkbox":
      if (typeof raw === "boolean") return raw;
      if (raw === "true" || raw === "1" || raw === 1) return true;
      if (raw === "false" || raw === "0" || raw === 0 || raw === "") return false;
      return { problem: `${JSON.stringify(raw)} is not true or false` };
    case "number": {
      const n =
        typeof raw === "number" ? raw : typeof raw === "string" && NUMBER_TEXT.test(raw) ? Number(raw) : null;
      return n === null ? { problem: `${JSON.stringify(raw)} is not a number` } : n;
    }
    case "choice":
    case "text":
      return String(raw);
  }
};

/**
 * The attributes of one label through an import: each value typed by the label's definition of
 * that name, or, where the label has none, a definition created from the value (true/false a
 * checkbox, a number a number, other text a text) and placed next to the attributes it came with,
 * so a label's definitions come back in the order an export wrote them. Values refused (wrong
 * type, out of range, not a choice) are named, never stored. Defaults are not filled in: a shape
 * holds what its file says, except a required attribute's default when the file has no value.
 */
export class LabelAttributes {
  /** The label's definitions, the created ones included, in order. */
  readonly defs: AttributeDefinition[];
  /** Names of the definitions this import created. */
  readonly created: string[] = [];

  constructor(
    readonly labelName: string,
    existing: readonly AttributeDefinition[],
  ) {
    this.defs = [...existing];
  }

  take(raw: Readonly<Record<string, RawAttributeValue>> | undefined): {
    values: AttributeValues;
    problems: string[];
  } {
    const values: AttributeValues = {};
    const problems: string[] = [];
    const names = Object.keys(raw ?? {});
    names.forEach((name, i) => {
      const r = (raw as Record<string, RawAttributeValue>)[name] as RawAttributeValue;
      let def = this.defs.find((d) => d.name === name);
      if (!def) {
        def = definitionFor(name, r);
        // Just before the next attribute of this shape the label already knows, else last.
        const next = names.slice(i + 1).find((n) => this.defs.some((d) => d.name === n));
        const at = next === undefined ? this.defs.length : this.defs.findIndex((d) => d.name === next);
        this.defs.splice(at, 0, def);
        this.created.push(name);
      }
      const v = typed(def, r);
      const problem = typeof v === "object" ? v.problem : attributeValueProblem(def, v);
      if (problem) problems.push(`attribute "${name}" of label "${this.labelName}": ${problem}`);
      else values[name] = v as AttributeValue;
    });
    for (const d of this.defs) {
      if (!d.required || d.name in values) continue;
      const v = attributeDefault(d);
      if (v === undefined) problems.push(`attribute "${d.name}" of label "${this.labelName}" is required`);
      else values[d.name] = v;
    }
    return { values: orderedAttributeValues(values, this.defs), problems };
  }
}

import type { AttributeDefinition, AttributeValues } from "@labelbench/schema";

/**
 * A shape's values in its label's definition order, so equal values are written as equal text.
 * Here rather than the schema's `orderedAttributeValues`: the export's worker loads only what an
 * export uses, and the schema package brings zod.
 */
export const valuesInOrder = (
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

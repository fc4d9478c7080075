import type { AttributeDefinition, AttributeValues } from "@labelbench/schema";

/**
 * A shape's values in a few words for the shape list: a checked box by its name, other values as
 * they are, in the label's order ("occluded · blue · 3"); an unchecked box says nothing.
 */
export const attributeSummary = (
  values: Readonly<AttributeValues> | undefined,
  defs: readonly AttributeDefinition[],
): string =>
  defs
    .flatMap((d) => {
      const v = values?.[d.name];
      if (v === undefined || v === false || v === "") return [];
      return [v === true ? d.name : String(v)];
    })
    .join(" · ");

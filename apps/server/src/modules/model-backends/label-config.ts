import type { Label } from "@labelbench/schema";

/**
 * The names Labelbench's generated labelling config gives its tags: a backend's reply must use them
 * as `from_name` / `to_name`, which is how Label Studio ties a result to a control.
 */
export const CONFIG_NAMES = {
  image: "image",
  rectangle: "label",
  polygon: "polygon",
  choices: "choice",
} as const;

const escapeXml = (s: string): string =>
  s.replace(/[<>&"']/g, (c) =>
    c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : c === '"' ? "&quot;" : "&apos;",
  );

type ConfigLabel = Pick<Label, "name" | "color" | "shapeTypes">;

/**
 * Label Studio's labelling config for a project's label set, as Label Studio would hold it for the
 * same project: one `<Image>`, `<RectangleLabels>` with the labels that may be boxes,
 * `<PolygonLabels>` with those that may be polygons, and `<Choices>` with every label (any label can
 * tag a whole image). Label values are the label names; colours go in `background`. Backends parse
 * this XML (label-studio-ml's `parse_config`) to learn the names to answer with.
 */
export const labelConfigXml = (labels: readonly ConfigLabel[]): string => {
  const labelTags = (tag: "Label" | "Choice", ls: readonly ConfigLabel[]) =>
    ls
      .map((l) =>
        tag === "Label"
          ? `    <Label value="${escapeXml(l.name)}" background="${escapeXml(l.color)}"/>`
          : `    <Choice value="${escapeXml(l.name)}"/>`,
      )
      .join("\n");
  const boxes = labels.filter((l) => l.shapeTypes.includes("box"));
  const polygons = labels.filter((l) => l.shapeTypes.includes("polygon"));
  const { image, rectangle, polygon, choices } = CONFIG_NAMES;
  const parts = [`<View>`, `  <Image name="${image}" value="$image"/>`];
  if (boxes.length > 0)
    parts.push(
      `  <RectangleLabels name="${rectangle}" toName="${image}">`,
      labelTags("Label", boxes),
      `  </RectangleLabels>`,
    );
  if (polygons.length > 0)
    parts.push(
      `  <PolygonLabels name="${polygon}" toName="${image}">`,
      labelTags("Label", polygons),
      `  </PolygonLabels>`,
    );
  if (labels.length > 0)
    parts.push(
      `  <Choices name="${choices}" toName="${image}" choice="multiple">`,
      labelTags("Choice", labels),
      `  </Choices>`,
    );
  parts.push(`</View>`);
  return parts.join("\n");
};

/** The control each result type must name, and the label names it accepts. */
export const controlsOf = (
  labels: readonly ConfigLabel[],
): Map<string, { type: "rectanglelabels" | "polygonlabels" | "choices"; names: Set<string> }> => {
  const names = (ls: readonly ConfigLabel[]) => new Set(ls.map((l) => l.name.toLowerCase()));
  const m = new Map<string, { type: "rectanglelabels" | "polygonlabels" | "choices"; names: Set<string> }>();
  const boxes = labels.filter((l) => l.shapeTypes.includes("box"));
  const polygons = labels.filter((l) => l.shapeTypes.includes("polygon"));
  if (boxes.length > 0) m.set(CONFIG_NAMES.rectangle, { type: "rectanglelabels", names: names(boxes) });
  if (polygons.length > 0) m.set(CONFIG_NAMES.polygon, { type: "polygonlabels", names: names(polygons) });
  if (labels.length > 0) m.set(CONFIG_NAMES.choices, { type: "choices", names: names(labels) });
  return m;
};

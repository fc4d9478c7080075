import type { Rect } from "@labelbench/geometry";
import { valuesInOrder } from "../attribute-order.js";
import type { EncodeContext } from "../context.js";
import { boundingBox } from "../shapes.js";
import type { ExportEntry, ExportItem } from "../types.js";

export const xmlEscape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`);

export interface VocBox {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
  rounded: boolean;
  widened: boolean;
}

/**
 * Continuous pixels to VOC's 1-based inclusive pixel indices. The continuous box [x, x+w] covers
 * pixel columns round(x) .. round(x+w)-1 (0-based), that is VOC columns round(x)+1 .. round(x+w).
 * Reading back (x = xmin - 1, w = xmax - xmin + 1) is exact for whole-pixel boxes.
 *
 * `xmax` is always above `xmin`: the devkit reads xmin == xmax as one pixel, but torchvision,
 * MMDetection and Ultralytics' converter take `xmax - xmin` as the width, and a 0 width crashes
 * torchvision's detection models. A box under two pixels is widened to two (to the right, or to
 * the left at the image's edge). Null when the image itself is under two pixels on that axis.
 */
export const toVocBox = (r: Rect, width: number, height: number): VocBox | null => {
  const axis = (start: number, span: number, size: number) => {
    if (size < 2) return null;
    const loRaw = Math.min(Math.max(Math.round(start), 0), size - 1);
    const hiRaw = Math.min(Math.max(Math.round(start + span), 0), size);
    let lo = loRaw;
    let hi = Math.max(hiRaw, lo + 2);
    if (hi > size) {
      hi = size;
      lo = size - 2;
    }
    return { min: lo + 1, max: hi, widened: hi !== hiRaw || lo !== loRaw };
  };
  const x = axis(r.x, r.width, width);
  const y = axis(r.y, r.height, height);
  if (!x || !y) return null;
  const rounded = ![r.x, r.y, r.x + r.width, r.y + r.height].every(Number.isInteger);
  return {
    xmin: x.min,
    ymin: y.min,
    xmax: x.max,
    ymax: y.max,
    rounded,
    widened: x.widened || y.widened,
  };
};

/** Attributes VOC has an element for (0 or 1); others go to CVAT's `<attributes>` list. */
const VOC_FLAGS = new Set(["truncated", "difficult", "occluded"]);

/** Grey (with or without alpha) is depth 1; colour, with or without alpha, and unknown are 3. */
export const vocDepth = (channels: number | null | undefined): number =>
  channels === 1 || channels === 2 ? 1 : 3;

/**
 * `Annotations/<stem>.xml`: size with depth 1 for greyscale images and 3 otherwise (as LabelImg and
 * the VOC devkit read it; alpha is not a channel there), one `object` per shape, bndbox 1-based.
 */
export const vocXml = (ctx: EncodeContext, item: ExportItem): string => {
  const { image } = item;
  const objects = item.shapes.flatMap((shape, n) => {
    const g = shape.geometry;
    const example = { image: image.exportName, shape: n + 1 };
    const b = toVocBox(boundingBox(g), image.width, image.height);
    if (!b) {
      ctx.report.add("SHAPE_NOT_WRITTEN", {
        ...example,
        detail: `the image is ${image.width}x${image.height}: VOC needs xmax > xmin on a 2-pixel side`,
      });
      ctx.uncount(item, shape.labelIndex);
      return [];
    }
    if (g.type === "polygon") ctx.report.add("POLYGON_AS_BOX", example);
    if (b.rounded) ctx.report.add("ROUNDED_TO_PIXELS", example);
    if (b.widened) ctx.report.add("WIDENED_TO_TWO_PIXELS", example);
    const label = ctx.source.labels[shape.labelIndex];
    const name = label?.name ?? "";
    const values = valuesInOrder(shape.attributes ?? {}, label?.attributes ?? []);
    const defined = new Set((label?.attributes ?? []).map((d) => d.name));
    const flag = (key: string) => (values[key] === true ? 1 : 0);
    const rest = Object.entries(values).filter(([k, v]) => !(VOC_FLAGS.has(k) && typeof v === "boolean"));
    return [
      "  <object>",
      `    <name>${xmlEscape(name)}</name>`,
      "    <pose>Unspecified</pose>",
      `    <truncated>${flag("truncated")}</truncated>`,
      `    <difficult>${flag("difficult")}</difficult>`,
      ...(defined.has("occluded") && typeof (values.occluded ?? false) === "boolean"
        ? [`    <occluded>${flag("occluded")}</occluded>`]
        : []),
      "    <bndbox>",
      `      <xmin>${b.xmin}</xmin>`,
      `      <ymin>${b.ymin}</ymin>`,
      `      <xmax>${b.xmax}</xmax>`,
      `      <ymax>${b.ymax}</ymax>`,
      "    </bndbox>",
      ...(rest.length === 0
        ? []
        : [
            "    <attributes>",
            ...rest.map(
              ([k, v]) =>
                `      <attribute><name>${xmlEscape(k)}</name><value>${xmlEscape(String(v))}</value></attribute>`,
            ),
            "    </attributes>",
          ]),
      "  </object>",
    ].join("\n");
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<annotation>",
    "  <folder>JPEGImages</folder>",
    `  <filename>${xmlEscape(image.exportName)}</filename>`,
    "  <source>",
    "    <database>Labelbench</database>",
    "  </source>",
    "  <size>",
    `    <width>${image.width}</width>`,
    `    <height>${image.height}</height>`,
    `    <depth>${vocDepth(image.channels)}</depth>`,
    "  </size>",
    "  <segmented>0</segmented>",
    ...objects,
    "</annotation>",
    "",
  ].join("\n");
};

/**
 * Pascal VOC layout: `labels.txt` (the class list, in label-set order, which VOC itself lacks),
 * `ImageSets/Main/<split>.txt`, then per image `JPEGImages/<name>` and `Annotations/<stem>.xml`.
 */
export function* encodeVoc(ctx: EncodeContext): Generator<ExportEntry> {
  const { source } = ctx;
  yield ctx.text("labels.txt", source.labels.map((l) => `${l.name}\n`).join(""));
  for (const split of ctx.splits) {
    const stems = source.plan.filter((p) => p.split === split).map((p) => `${p.stem}\n`);
    yield ctx.text(`ImageSets/Main/${split}.txt`, stems.join(""));
  }
  for (const item of source.items()) {
    ctx.count(item);
    const { image } = item;
    const imagePath = `JPEGImages/${image.exportName}`;
    if (ctx.includeImages && image.conversion === "jpeg")
      ctx.report.add("CONVERTED_TO_JPEG", { image: image.exportName, detail: `stored as ${image.format}` });
    if (ctx.includeImages) yield { kind: "image", path: imagePath, image };
    yield ctx.text(`Annotations/${image.stem}.xml`, vocXml(ctx, item));
    ctx.collectTags(item, imagePath);
  }
}

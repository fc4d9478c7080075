import path from "node:path";
import type { Size } from "@labelbench/geometry";
import { AttributeDefinitions } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { LabelAttributes } from "./attributes.js";
import { encodeToFiles } from "./export.js";
import { decodeDataset, detectFormat } from "./import.js";
import {
  exportOptions,
  FIXTURES,
  finderFor,
  HAVE_FIXTURES,
  memorySource,
  readDatasetDir,
  type SampleImage,
} from "./testing/helpers.js";
import type { DecodedDataset, ExportLabel, FormatId, PlannedImage } from "./types.js";

/**
 * Attributes per label through the formats (issue 18): COCO's `attributes` object on each
 * annotation (as CVAT's COCO export writes it), VOC's truncated/difficult/occluded elements and
 * CVAT's `<attributes>` list, YOLO's report. Round trips go through LabelAttributes, as the
 * server's import does into a fresh project.
 */
const LABELS: ExportLabel[] = [
  {
    name: "car",
    attributes: AttributeDefinitions.parse([
      { name: "occluded", kind: "checkbox" },
      { name: "truncated", kind: "checkbox" },
      { name: "colour", kind: "choice", values: ["red", "blue", "weiß"], default: "red" },
      { name: "doors", kind: "number", min: 2, max: 5 },
      { name: "plate", kind: "text" },
    ]),
  },
  { name: "tree" },
];
const box = (x: number) => ({ type: "box" as const, x, y: 2, width: 10, height: 8 });
const IMAGES: SampleImage[] = [
  {
    id: 1,
    fileName: "a.jpg",
    width: 100,
    height: 50,
    shapes: [
      {
        id: "1",
        labelIndex: 0,
        geometry: box(1),
        attributes: { occluded: true, truncated: false, colour: "weiß", doors: 3, plate: 'AB <"12">' },
      },
      { id: "2", labelIndex: 1, geometry: box(20) },
      {
        id: "3",
        labelIndex: 0,
        geometry: box(40),
        attributes: { occluded: false, truncated: true, colour: "blue", doors: 4.5 },
      },
    ],
  },
  {
    id: 2,
    fileName: "b.jpg",
    width: 100,
    height: 50,
    shapes: [
      {
        id: "4",
        labelIndex: 0,
        geometry: box(5),
        attributes: { occluded: false, truncated: false, colour: "red" },
      },
    ],
  },
];

const source = (format: FormatId, labels = LABELS, images = IMAGES) =>
  memorySource(labels, images, { train: 100, val: 0, test: 0 }, "s", format);
const opts = (format: FormatId) => exportOptions(format, { seed: "s" });

const decodeExport = (format: FormatId, files: Map<string, string>, plan: readonly PlannedImage[]) =>
  decodeDataset(
    format,
    { texts: files, imagePaths: [] },
    finderFor(
      new Map(),
      new Map<string, Size>(plan.map((p) => [p.exportName, { width: p.width, height: p.height }])),
    ),
  );

/** The server's import into a fresh project: labels created, their attributes from the values. */
const reimport = (decoded: DecodedDataset, plan: readonly PlannedImage[], format: FormatId) => {
  const attrs = new Map(decoded.labels.map((l) => [l, new LabelAttributes(l, [])]));
  const problems: string[] = [];
  const images: SampleImage[] = decoded.images.map((d, i) => {
    const p = plan.find((x) => x.exportName === d.fileName) as PlannedImage;
    return {
      id: i + 1,
      fileName: d.fileName,
      width: d.width,
      height: d.height,
      sha256: p.sha256,
      shapes: d.annotations.map((a, j) => {
        const taken = (attrs.get(a.label) as LabelAttributes).take(a.attributes);
        problems.push(...taken.problems);
        return {
          id: `${i}-${j}`,
          labelIndex: decoded.labels.indexOf(a.label),
          geometry: a.geometry,
          attributes: taken.values,
        };
      }),
    };
  });
  const labels = decoded.labels.map((name) => ({ name, attributes: attrs.get(name)?.defs ?? [] }));
  // The server stores values in the label's final definition order.
  for (const im of images)
    for (const s of im.shapes) {
      const defs = labels[s.labelIndex]?.attributes ?? [];
      s.attributes = Object.fromEntries(
        defs.flatMap((d) => (s.attributes && d.name in s.attributes ? [[d.name, s.attributes[d.name]]] : [])),
      ) as Record<string, boolean | number | string>;
    }
  return { source: source(format, labels, images), labels, problems };
};

const annotationFiles = (m: Map<string, string>) =>
  new Map([...m].filter(([p]) => p !== "manifest.json" && p !== "export-report.json"));

describe("COCO attributes", () => {
  const a = source("coco");
  const first = encodeToFiles(a, opts("coco"));
  const coco = JSON.parse(first.get("annotations/instances_train.json") ?? "{}");

  it("writes CVAT's attributes object on each shape of a label with attributes, nothing on the others", () => {
    expect(coco.annotations.map((x: { attributes?: unknown }) => x.attributes)).toEqual([
      { occluded: true, truncated: false, colour: "weiß", doors: 3, plate: 'AB <"12">' },
      undefined,
      { occluded: false, truncated: true, colour: "blue", doors: 4.5 },
      { occluded: false, truncated: false, colour: "red" },
    ]);
  });

  it("export -> import into a fresh project -> export is byte-identical", () => {
    const decoded = decodeExport("coco", first, a.plan);
    expect(decoded.problems).toEqual([]);
    const b = reimport(decoded.value, a.plan, "coco");
    expect(b.problems).toEqual([]);
    // Kinds typed from the values: a choice reads back as text (COCO does not list the choices).
    expect(b.labels[0]?.attributes.map((d) => [d.name, d.kind])).toEqual([
      ["occluded", "checkbox"],
      ["truncated", "checkbox"],
      ["colour", "text"],
      ["doors", "number"],
      ["plate", "text"],
    ]);
    expect(annotationFiles(encodeToFiles(b.source, opts("coco")))).toEqual(annotationFiles(first));
  });

  it("a project without attributes exports as before: no attributes key at all", () => {
    const plain = encodeToFiles(
      source(
        "coco",
        [{ name: "car" }, { name: "tree" }],
        IMAGES.map((im) => ({ ...im, shapes: im.shapes.map(({ attributes: _, ...s }) => s) })),
      ),
      opts("coco"),
    );
    expect(plain.get("annotations/instances_train.json")).not.toContain('"attributes"');
  });
});

describe("Pascal VOC attributes", () => {
  const a = source("voc");
  const first = encodeToFiles(a, opts("voc"));

  it("writes truncated, difficult, occluded elements and CVAT's <attributes> list for the rest", () => {
    const xml = first.get("Annotations/a.xml") ?? "";
    const objects = xml.split("<object>").slice(1);
    expect(objects[0]).toContain("<truncated>0</truncated>");
    expect(objects[0]).toContain("<occluded>1</occluded>");
    expect(objects[0]).toContain(
      [
        "    <attributes>",
        "      <attribute><name>colour</name><value>weiß</value></attribute>",
        "      <attribute><name>doors</name><value>3</value></attribute>",
        "      <attribute><name>plate</name><value>AB &lt;&quot;12&quot;&gt;</value></attribute>",
        "    </attributes>",
      ].join("\n"),
    );
    // The tree label has no attributes: no occluded element, no list.
    expect(objects[1]).not.toContain("occluded");
    expect(objects[1]).not.toContain("<attributes>");
    expect(objects[2]).toContain("<truncated>1</truncated>");
    expect(objects[2]).toContain("<occluded>0</occluded>");
  });

  it("export -> import into a fresh project -> export is byte-identical", () => {
    const decoded = decodeExport("voc", first, a.plan);
    expect(decoded.problems).toEqual([]);
    const b = reimport(decoded.value, a.plan, "voc");
    expect(b.problems).toEqual([]);
    const second = encodeToFiles(b.source, opts("voc"));
    expect(annotationFiles(second)).toEqual(annotationFiles(first));
    // And from then on a fixed point.
    const c = reimport(decodeExport("voc", second, b.source.plan).value, b.source.plan, "voc");
    expect(annotationFiles(encodeToFiles(c.source, opts("voc")))).toEqual(annotationFiles(first));
  });
});

describe("YOLO", () => {
  it("reports the attribute values it cannot write, with their count", () => {
    const report = JSON.parse(encodeToFiles(source("yolo"), opts("yolo")).get("export-report.json") ?? "{}");
    const item = report.items.find((i: { code: string }) => i.code === "ATTRIBUTES_NOT_WRITTEN");
    expect(item.count).toBe(12);
    expect(item.severity).toBe("lossy");
    expect(item.examples[0]).toEqual({ image: "a.jpg", shape: 1, detail: "occluded" });
    expect(report.lossless).toBe(false);
  });
});

describe("LabelAttributes: values into a project's definitions", () => {
  it("types values by existing definitions and names what it refuses", () => {
    const defs = AttributeDefinitions.parse([
      { name: "occluded", kind: "checkbox" },
      { name: "colour", kind: "choice", values: ["red"] },
      { name: "doors", kind: "number", max: 5, required: true, default: 4 },
    ]);
    const l = new LabelAttributes("car", defs);
    expect(l.take({ occluded: "1", colour: "red" })).toEqual({
      values: { occluded: true, colour: "red", doors: 4 },
      problems: [],
    });
    expect(l.take({ colour: "green", doors: "9", occluded: "maybe" }).problems).toEqual([
      'attribute "colour" of label "car": "green" is not one of "red"',
      'attribute "doors" of label "car": 9 is above the maximum 5',
      'attribute "occluded" of label "car": "maybe" is not true or false',
    ]);
    expect(l.created).toEqual([]);
  });
});

const SKIPPED = HAVE_FIXTURES ? "" : ` (skipped: ${FIXTURES} not found)`;
describe.skipIf(!HAVE_FIXTURES)(`attributes in other tools' files${SKIPPED}`, () => {
  const decodeDir = (rel: string) => {
    const files = readDatasetDir(path.join(FIXTURES, rel));
    const d = detectFormat(files);
    if (!d.ok) throw new Error(d.reason);
    return decodeDataset(d.format, files, finderFor(files.sizes));
  };
  it("datumaro coco_instances: annotation 1's attributes become definitions and values", () => {
    const d = decodeDir("datumaro/coco_instances");
    const img = d.value.images.find((i) => i.fileName === "b.jpg");
    const l = new LabelAttributes("a", []);
    expect(l.take(img?.annotations[0]?.attributes)).toEqual({ values: { x: 1, y: "hello" }, problems: [] });
    expect(l.defs.map((x) => [x.name, x.kind])).toEqual([
      ["x", "number"],
      ["y", "text"],
    ]);
  });
  it("datumaro voc_dataset1: truncated=1 on the cat, difficult=0 left as no value", () => {
    const d = decodeDir("datumaro/voc_dataset1");
    const one = d.value.images.find((i) => i.fileName === "2007_000001.jpg");
    const l = new LabelAttributes("cat", []);
    expect(l.take(one?.annotations[0]?.attributes)).toEqual({ values: { truncated: true }, problems: [] });
    expect(l.defs).toEqual([{ name: "truncated", kind: "checkbox", required: false, default: false }]);
  });
});

import type { Size } from "@labelbench/geometry";
import { describe, expect, it } from "vitest";
import { encodeDataset, encodeToFiles } from "../export.js";
import { decodeDataset, detectFormat } from "../import.js";
import { exportOptions, finderFor, memorySource, type SampleImage } from "../testing/helpers.js";
import { SAMPLE_IMAGES, SAMPLE_LABELS, SAMPLE_SEED, SAMPLE_SPLIT } from "../testing/sample.js";
import type { DecodedDataset, ExportLabel, ExportSource, FormatId, PlannedImage } from "../types.js";
import { splitLabels } from "./decode.js";
import { classFolders } from "./folders.js";

const opts = (format: FormatId, includeImages = false) =>
  exportOptions(format, { split: SAMPLE_SPLIT, seed: SAMPLE_SEED, includeImages });

/** The image entries of an export: path in the zip -> the planned image. */
const imageEntries = (source: ExportSource, format: FormatId) => {
  const out = new Map<string, PlannedImage>();
  for (const e of encodeDataset(source, opts(format, true))) {
    if (e.kind === "image") out.set(e.path, e.image);
    else if (e.kind === "stream") for (const _ of e.chunks); // drained, as the zip writer does
  }
  return out;
};

/** What the server does after an import: a project of the decoded images, their tags as label indices. */
const reimported = (decoded: DecodedDataset, byKey: ReadonlyMap<string, PlannedImage>, format: FormatId) => {
  const labels = decoded.labels;
  const images: SampleImage[] = decoded.images.map((d, i) => {
    const original = byKey.get(d.key);
    if (!original) throw new Error(`decoded an unknown image ${d.fileName}`);
    return {
      id: i + 1,
      fileName: original.exportName,
      width: d.width,
      height: d.height,
      sha256: original.sha256,
      format: original.format === "gif" && format === "imagenet" ? "png" : original.format,
      tags: d.tags.map((t) => labels.indexOf(t)),
      ...(d.split ? { split: d.split } : {}),
      shapes: [],
    };
  });
  return memorySource(labels, images, SAMPLE_SPLIT, SAMPLE_SEED, format);
};

describe("classification CSV", () => {
  const source = memorySource(SAMPLE_LABELS, SAMPLE_IMAGES, SAMPLE_SPLIT, SAMPLE_SEED, "classification-csv");
  const first = encodeToFiles(source, opts("classification-csv"));

  it("writes one row per image: its path in the export, its tags in label order joined by ';', its split", () => {
    const csv = first.get("classification.csv")?.split("\n") ?? [];
    expect(csv[0]).toBe("image,labels,split");
    expect(csv).toHaveLength(source.plan.length + 2); // header + rows + the final newline
    expect(csv).toContain('images/img_2.jpg,"cat;comma, ""quoted""",test');
    expect(csv).toContain("images/empty.png,,train");
    expect(first.get("labels.txt")).toBe(SAMPLE_LABELS.map((l) => `${l}\n`).join(""));
  });

  it("has no split column when the export has one split", () => {
    const one = encodeToFiles(
      memorySource(
        SAMPLE_LABELS,
        SAMPLE_IMAGES,
        { train: 100, val: 0, test: 0 },
        SAMPLE_SEED,
        "classification-csv",
      ),
      exportOptions("classification-csv"),
    );
    expect(one.get("classification.csv")?.split("\n")[0]).toBe("image,labels");
  });

  it("reports the drawn shapes it leaves out, and counts tags as what the files hold", () => {
    const report = JSON.parse(first.get("export-report.json") ?? "{}") as {
      lossless: boolean;
      items: { code: string; count: number }[];
    };
    expect(report.lossless).toBe(false);
    const shapes = report.items.find((i) => i.code === "SHAPES_NOT_WRITTEN_CLASSIFICATION");
    expect(shapes?.count).toBe(SAMPLE_IMAGES.filter((i) => i.shapes.length > 0).length);
    const manifest = JSON.parse(first.get("manifest.json") ?? "{}") as {
      counts: { annotations: { total: number } };
      images: { path: string }[];
    };
    expect(manifest.counts.annotations.total).toBe(3); // the sample's tags: [4] and [0, 3]
    expect(manifest.images.map((i) => i.path)).toContain("images/img_2.jpg");
  });

  it("export -> import -> export gives the same files byte for byte (images in the project)", () => {
    const byName = new Map(source.plan.map((p) => [`project:${p.exportName}`, p]));
    const existing = new Map<string, Size>(source.plan.map((p) => [p.exportName, p]));
    const decoded = decodeDataset(
      "classification-csv",
      { texts: first, imagePaths: [] },
      finderFor(new Map(), existing),
    );
    expect(decoded.problems).toEqual([]);
    expect(decoded.value.labels).toEqual(SAMPLE_LABELS);
    const second = encodeToFiles(
      reimported(decoded.value, byName, "classification-csv"),
      opts("classification-csv"),
    );
    expect(second.get("classification.csv")).toBe(first.get("classification.csv"));
    expect(second.get("labels.txt")).toBe(first.get("labels.txt"));
  });

  it("round trips with the images in the upload, and the upload is detected as a classification CSV", () => {
    const images = imageEntries(source, "classification-csv");
    expect([...images.keys()]).toEqual(source.plan.map((p) => `images/${p.exportName}`));
    const files = { texts: first, imagePaths: [...images.keys()] };
    expect(
      detectFormat({ texts: new Map([...first].filter(([p]) => p !== "manifest.json")), imagePaths: [] }),
    ).toMatchObject({
      ok: true,
      format: "classification-csv",
    });
    const zip = new Map<string, Size>([...images].map(([p, img]) => [p, img]));
    const decoded = decodeDataset("classification-csv", files, finderFor(zip));
    expect(decoded.problems).toEqual([]);
    const second = encodeToFiles(
      reimported(decoded.value, images, "classification-csv"),
      opts("classification-csv"),
    );
    expect(second.get("classification.csv")).toBe(first.get("classification.csv"));
  });

  it("lists only labels whose scope includes tags, and a tag's label whatever its scope", () => {
    const labels: ExportLabel[] = [
      { name: "box only", scope: "shapes" },
      { name: "indoor", scope: "tags" },
      { name: "both" },
      { name: "was tag", scope: "shapes" },
    ];
    const images: SampleImage[] = [
      { id: 1, fileName: "a.jpg", width: 10, height: 10, tags: [1, 3], shapes: [] },
      { id: 2, fileName: "b.jpg", width: 10, height: 10, tags: [2], shapes: [] },
    ];
    const files = encodeToFiles(
      memorySource(labels, images, undefined, "s", "classification-csv"),
      exportOptions("classification-csv"),
    );
    expect(files.get("labels.txt")).toBe("indoor\nboth\nwas tag\n");
    expect(files.get("classification.csv")).toBe(
      "image,labels\nimages/a.jpg,indoor;was tag\nimages/b.jpg,both\n",
    );
  });

  it("reads a label whose name holds ';' back whole, with labels.txt", () => {
    const labels = ["a;b", "a", "b", "c"];
    const images: SampleImage[] = [
      { id: 1, fileName: "x.jpg", width: 10, height: 10, tags: [0, 3], shapes: [] },
      { id: 2, fileName: "y.jpg", width: 10, height: 10, tags: [1, 2], shapes: [] },
    ];
    const a = memorySource(labels, images, undefined, "s", "classification-csv");
    const files = encodeToFiles(a, exportOptions("classification-csv"));
    expect(files.get("classification.csv")).toBe("image,labels\nimages/x.jpg,a;b;c\nimages/y.jpg,a;b\n");
    // The longest declared name wins: "a;b" is one label on its own row, but with labels "a" and "b"
    // declared too, the row of y.jpg reads as the label "a;b" — the one ambiguity, reported on export.
    const known = new Set(labels);
    expect(splitLabels("a;b;c", known)).toEqual(["a;b", "c"]);
    expect(splitLabels("c;a", known)).toEqual(["c", "a"]);
    expect(splitLabels("", known)).toEqual([]);
    const report = files.get("export-report.json") ?? "";
    expect(report).toContain("LABEL_NAME_HAS_SEPARATOR");
  });

  it("refuses rows it cannot read, naming the line", () => {
    const texts = new Map([
      ["labels.txt", "cat\n"],
      [
        "classification.csv",
        "image,labels,split\na.jpg,cat,train\nb.jpg,cat,holdout\na.jpg,cat,train\nc.jpg\n,cat,train\nd.jpg,cat;;cat,val\n",
      ],
    ]);
    const sizes = new Map<string, Size>(
      ["a.jpg", "b.jpg", "c.jpg", "d.jpg"].map((n) => [n, { width: 5, height: 5 }]),
    );
    const decoded = decodeDataset(
      "classification-csv",
      { texts, imagePaths: [] },
      finderFor(new Map(), sizes),
    );
    expect(decoded.ok).toBe(false);
    expect(decoded.problems.map((p) => `${p.where}: ${p.message}`)).toEqual([
      'line 3: "holdout" is not a split (train, val or test)',
      'line 4: image "a.jpg" has a row already: one row per image',
      "line 5: expected 3 fields (image,labels,split), found 1",
      "line 6: the image field is empty",
      'line 7: an empty label in "cat;;cat" (labels are joined by ";")',
    ]);
  });
});

/** What torchvision's ImageFolder reads from one split folder (datasets/folder.py). */
const IMAGE_FOLDER_EXTENSIONS = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"];
const imageFolder = (paths: readonly string[], split: string) => {
  const under = paths.filter((p) => p.startsWith(`${split}/`)).map((p) => p.slice(split.length + 1));
  // find_classes: the folders directly under the root, sorted; make_dataset walks each recursively.
  const classes = [...new Set(under.map((p) => p.slice(0, p.indexOf("/"))))].sort();
  const samples = under
    .filter((p) => IMAGE_FOLDER_EXTENSIONS.some((e) => p.toLowerCase().endsWith(e)))
    .map((p) => ({ path: p, target: classes.indexOf(p.slice(0, p.indexOf("/"))) }));
  return { classes, samples, skipped: under.length - samples.length };
};

describe("ImageNet layout", () => {
  const labels = ["cat", "dog/puppy", "Dog", "DOG_puppy", ".hidden", "bird", "fish"];
  const images: SampleImage[] = [
    { id: 1, fileName: "a.jpg", width: 10, height: 10, tags: [0], shapes: [] },
    { id: 2, path: "cam_a/a.jpg", fileName: "a.jpg", width: 10, height: 10, tags: [1], shapes: [] },
    { id: 3, fileName: "b.gif", format: "gif", width: 10, height: 10, tags: [2], shapes: [] },
    { id: 4, fileName: "c", format: "webp", width: 10, height: 10, tags: [3], shapes: [] },
    { id: 5, fileName: "d.png", format: "png", width: 10, height: 10, tags: [4], shapes: [] },
    { id: 6, fileName: "none.jpg", width: 10, height: 10, shapes: [] },
    { id: 7, fileName: "two.jpg", width: 10, height: 10, tags: [0, 5], shapes: [] },
    {
      id: 8,
      fileName: "e.jpg",
      width: 10,
      height: 10,
      tags: [5],
      shapes: [{ id: "s", labelIndex: 0, geometry: { type: "box", x: 1, y: 1, width: 2, height: 2 } }],
    },
  ];
  const ratios = { train: 50, val: 50, test: 0 };
  const source = memorySource(labels, images, ratios, "seed", "imagenet");
  const options = exportOptions("imagenet", { split: ratios, seed: "seed", includeImages: true });
  const entries = [...encodeDataset(source, options)];
  const text = (p: string) => {
    const e = entries.find((x) => x.path === p);
    return e?.kind === "text" ? e.text : "";
  };
  const imagePaths = entries.flatMap((e) => (e.kind === "image" ? [e.path] : []));

  it("gives each label a safe folder, unique case-insensitively, in label order", () => {
    expect(classFolders(labels)).toEqual([
      "cat",
      "dog_puppy",
      "Dog",
      "DOG_puppy_2",
      "_hidden",
      "bird",
      "fish",
    ]);
    expect(classFolders(["a/b", "a_b", "A_B", "con?", " x. ", ""])).toEqual([
      "a_b",
      "a_b_2",
      "A_B_3",
      "con_",
      "x",
      "_",
    ]);
    expect(text("labels.txt")).toBe(labels.map((l) => `${l}\n`).join(""));
  });

  it("puts each image with one tag in <split>/<class>/<name>, what ImageFolder reads", () => {
    const bySplit = new Map(source.plan.map((p) => [p.id, p.split]));
    const expected = [
      [1, "cat/a.jpg"],
      [2, "dog_puppy/cam_a/a.jpg"],
      [3, "Dog/b.png"],
      [4, "DOG_puppy_2/c.webp"],
      [5, "_hidden/d.png"],
      [8, "bird/e.jpg"],
    ] as const;
    expect(imagePaths).toEqual(expected.map(([id, p]) => `${bySplit.get(id)}/${p}`));
    for (const split of ["train", "val"]) {
      const read = imageFolder(imagePaths, split);
      expect(read.skipped, split).toBe(0);
      for (const s of read.samples) {
        const folder = s.path.slice(0, s.path.indexOf("/"));
        expect(read.classes[s.target]).toBe(folder);
      }
    }
  });

  it("names every image it leaves out, and what it changed", () => {
    const report = JSON.parse(text("export-report.json")) as {
      items: { code: string; count: number; examples: { image: string; detail?: string }[] }[];
    };
    const item = (code: string) => report.items.find((i) => i.code === code);
    expect(item("IMAGE_WITHOUT_TAG")?.examples).toEqual([{ image: "none.jpg" }]);
    expect(item("IMAGE_WITH_SEVERAL_TAGS")?.examples).toEqual([{ image: "two.jpg", detail: "cat, bird" }]);
    expect(item("CLASS_FOLDER_RENAMED")?.count).toBe(3);
    expect(item("CONVERTED_TO_PNG_FOR_IMAGEFOLDER")?.count).toBe(1);
    expect(item("SHAPES_NOT_WRITTEN_CLASSIFICATION")?.count).toBe(1);
    const manifest = JSON.parse(
      new TextDecoder().decode(
        Buffer.concat(
          entries.flatMap((e) => (e.kind === "stream" && e.path === "manifest.json" ? [...e.chunks] : [])),
        ),
      ),
    ) as { images: { path: string | null }[] };
    expect(manifest.images.filter((i) => i.path === null)).toHaveLength(2);
  });

  it("reads its own layout back: each image tagged with its folder's label, labels in order, same files", () => {
    const texts = new Map([["labels.txt", text("labels.txt")]]);
    const planned = new Map(entries.flatMap((e) => (e.kind === "image" ? [[e.path, e.image] as const] : [])));
    const files = { texts, imagePaths };
    expect(detectFormat(files)).toMatchObject({ ok: true, format: "imagenet" });
    const decoded = decodeDataset(
      "imagenet",
      files,
      finderFor(new Map([...planned].map(([p, img]) => [p, img]))),
    );
    expect(decoded.problems).toEqual([]);
    expect(decoded.value.labels).toEqual(labels);
    expect(decoded.value.images.map((i) => [i.fileName, i.tags, i.split])).toEqual(
      [...planned].map(([p, img]) => [
        p.slice(p.lastIndexOf("/") + 1),
        [labels[img.tags[0] ?? -1]],
        img.split,
      ]),
    );
    const again = reimported(decoded.value, planned, "imagenet");
    const second = [...encodeDataset(again, options)].flatMap((e) => (e.kind === "image" ? [e.path] : []));
    expect(second).toEqual(imagePaths);
  });

  it("reads a plain ImageFolder tree without labels.txt: folder names in sorted order", () => {
    const files = {
      texts: new Map<string, string>(),
      imagePaths: ["data/train/zebra/1.jpg", "data/val/ant/2.jpg"],
    };
    const sizes = new Map<string, Size>(files.imagePaths.map((p) => [p, { width: 4, height: 4 }]));
    const decoded = decodeDataset("imagenet", files, finderFor(sizes));
    expect(decoded.problems).toEqual([]);
    expect(decoded.value.labels).toEqual(["ant", "zebra"]);
    expect(decoded.value.images.map((i) => [i.tags, i.split])).toEqual([
      [["zebra"], "train"],
      [["ant"], "val"],
    ]);
  });
});

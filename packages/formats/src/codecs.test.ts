import type { Size } from "@labelbench/geometry";
import {
  type Geometry,
  MAX_POLYGON_VERTICES,
  MAX_SHAPES_PER_IMAGE,
  MAX_TAGS_PER_IMAGE,
} from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { cocoAnnotation, cocoAnnotationLine } from "./coco/encode.js";
import { cocoSelfEvaluation, validateCocoForPycocotools } from "./coco/validate.js";
import { encodeDataset, encodeToFiles } from "./export.js";
import { exportNames } from "./export-names.js";
import { decodeDataset, detectFormat } from "./import.js";
import { formatProblem } from "./problems.js";
import { assignSplits, parseSplit, splitCounts, splitHash } from "./split.js";
import { exportOptions, finderFor, memorySource, type SampleImage } from "./testing/helpers.js";
import { SAMPLE_IMAGES, SAMPLE_LABELS, SAMPLE_SEED, SAMPLE_SPLIT } from "./testing/sample.js";
import type { DatasetFiles, ExportItem, ExportSource, FormatId } from "./types.js";
import { decodeUtf8 } from "./utf8.js";
import { toVocBox } from "./voc/encode.js";
import { yoloAxis } from "./yolo/encode.js";

const files = (texts: Record<string, string>, imagePaths: string[] = []): DatasetFiles => ({
  texts: new Map(Object.entries(texts)),
  imagePaths,
});
const problemsOf = (format: FormatId, f: DatasetFiles, sizes: Record<string, Size>) =>
  decodeDataset(format, f, finderFor(new Map(Object.entries(sizes)))).problems.map(formatProblem);

describe("splits", () => {
  it("parses percentages and refuses what does not add up", () => {
    expect(parseSplit("80,10,10")).toEqual({ ok: true, value: { train: 80, val: 10, test: 10 } });
    expect(parseSplit("100")).toEqual({ ok: true, value: { train: 100, val: 0, test: 0 } });
    expect(parseSplit("70, 30")).toEqual({ ok: true, value: { train: 70, val: 30, test: 0 } });
    expect(parseSplit("80,10,5")).toMatchObject({
      ok: false,
      reason: "percentages must add up to 100, not 95",
    });
    expect(parseSplit("80,x,10").ok).toBe(false);
    expect(parseSplit("50,25,25,0").ok).toBe(false);
    expect(parseSplit("-10,100,10").ok).toBe(false);
  });

  it("pins the hash the docs reproduce in Python", () => {
    expect(splitHash("seed", "abc")).toBe(786704360);
    expect(splitHash("42", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")).toBe(
      2646316372,
    );
    expect(splitHash("ü", "x")).toBe(138430221);
  });

  it("hashes the UTF-8 bytes of any seed: two-, three- and four-byte characters", () => {
    const reference = (seed: string, key: string) => {
      let h = 0x811c9dc5;
      for (const b of new TextEncoder().encode(`${seed}:${key}`)) h = Math.imul(h ^ b, 0x01000193);
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      return (h ^ (h >>> 16)) >>> 0;
    };
    for (const seed of ["ü", "日本", "😀 run 2", "a\u00e9\u4e2d\u{1F600}z"])
      expect(splitHash(seed, "abc")).toBe(reference(seed, "abc"));
  });

  it("gives exact sizes by largest remainder", () => {
    expect(splitCounts(10, { train: 80, val: 10, test: 10 })).toEqual({ train: 8, val: 1, test: 1 });
    expect(splitCounts(3, { train: 80, val: 10, test: 10 })).toEqual({ train: 3, val: 0, test: 0 });
    expect(splitCounts(8, { train: 60, val: 20, test: 20 })).toEqual({ train: 5, val: 2, test: 1 });
    expect(splitCounts(0, { train: 80, val: 10, test: 10 })).toEqual({ train: 0, val: 0, test: 0 });
    for (let n = 0; n < 200; n++) {
      const c = splitCounts(n, { train: 70, val: 20, test: 10 });
      expect(c.train + c.val + c.test).toBe(n);
    }
  });

  it("depends on the seed and the image contents, never on upload order", () => {
    const images = Array.from({ length: 500 }, (_, i) => ({ id: i + 1, sha256: `sha-${i * 7919}` }));
    const r = { train: 80, val: 10, test: 10 };
    const a = assignSplits(images, r, "s1");
    const b = assignSplits([...images].reverse(), r, "s1");
    expect([...a].sort()).toEqual([...b].sort());
    const counts = { train: 0, val: 0, test: 0 };
    for (const s of a.values()) counts[s]++;
    expect(counts).toEqual({ train: 400, val: 50, test: 50 });
    const c = assignSplits(images, r, "s2");
    const moved = images.filter((im) => c.get(im.id) !== a.get(im.id));
    expect(moved.length).toBeGreaterThan(50);
    // Re-uploading the same files under new ids keeps every image in its split.
    const renumbered = assignSplits(
      images.map((im) => ({ ...im, id: im.id + 1000 })),
      r,
      "s1",
    );
    for (const im of images) expect(renumbered.get(im.id + 1000)).toBe(a.get(im.id));
  });
});

describe("export names", () => {
  const names = (format: FormatId, images: [string, string][]) =>
    exportNames(
      images.map(([path, f]) => ({ path, format: f })),
      format,
    ).map((n) => n.name);

  it("keeps the first name, suffixes later collisions case-insensitively by stem, adds missing extensions", () => {
    expect(
      names("coco", [
        ["img.jpg", "jpeg"],
        ["img.png", "png"],
        ["IMG.jpg", "jpeg"],
        ["img_2.jpg", "jpeg"],
        ["noext", "webp"],
        ["bad:<name>?.tif", "tiff"],
        ["..", "gif"],
        ["photo.JPEG", "jpeg"],
        ["wrong.png", "jpeg"],
      ]),
    ).toEqual([
      "img.jpg",
      "img_2.png",
      "IMG_3.jpg",
      "img_2_2.jpg",
      "noext.webp",
      "bad__name__.tif",
      "image.gif",
      "photo.JPEG",
      "wrong.jpg",
    ]);
  });

  it("keeps folders where the format allows: two 0001.jpg in different folders never collide", () => {
    const input: [string, string][] = [
      ["cam_a/0001.jpg", "jpeg"],
      ["cam_b/0001.jpg", "jpeg"],
      ["0001.jpg", "jpeg"],
      ["0001.jpg", "jpeg"],
      ["Cam_A/0001.png", "png"],
      ["cam_a/sub/0001.jpg", "jpeg"],
    ];
    expect(names("coco", input)).toEqual([
      "cam_a/0001.jpg",
      "cam_b/0001.jpg",
      "0001.jpg",
      "0001_2.jpg",
      // The same folder spelt another way is the same folder (case-insensitive disks).
      "cam_a/0001_2.png",
      "cam_a/sub/0001.jpg",
    ]);
    expect(exportNames([{ path: "cam_b/0001.jpg", format: "jpeg" }], "yolo")[0]?.stem).toBe("cam_b/0001");
    // VOC has one flat folder: the folders become part of the id.
    expect(names("voc", input)).toEqual([
      "cam_a_0001.jpg",
      "cam_b_0001.jpg",
      "0001.jpg",
      "0001_2.jpg",
      "Cam_A_0001_2.jpg",
      "cam_a_sub_0001.jpg",
    ]);
  });

  it("VOC: every id is <id>.jpg, without whitespace or #, unique", () => {
    const named = exportNames(
      [
        ["street one.png", "png"],
        ["street_one.jpg", "jpeg"],
        ["tab\there #2.JPG", "jpeg"],
        ["photo.jpeg", "jpeg"],
        ["no\u00a0break.webp", "webp"],
      ].map(([path, format]) => ({ path: path as string, format: format as string })),
      "voc",
    );
    expect(named.map((n) => n.name)).toEqual([
      "street_one.jpg",
      "street_one_2.jpg",
      "tab_here__2.jpg",
      "photo.jpg",
      "no_break.jpg",
    ]);
    expect(named.map((n) => n.conversion)).toEqual(["jpeg", null, null, null, "jpeg"]);
    for (const n of named) expect(n.stem.split(/\s+/)).toEqual([n.stem]);
  });

  it("YOLO: a folder named images is renamed (Ultralytics maps the last /images/ to /labels/), GIF becomes PNG", () => {
    const named = exportNames(
      [
        { path: "images/a.jpg", format: "jpeg" },
        { path: "x/Images/b.gif", format: "gif" },
      ],
      "yolo",
    );
    expect(named.map((n) => [n.name, n.conversion])).toEqual([
      ["images_/a.jpg", null],
      ["x/Images_/b.png", "png"],
    ]);
  });

  it("never gives a folder the name of a file, nor a file that of a folder", () => {
    expect(
      names("coco", [
        ["a.jpg", "jpeg"],
        ["a.jpg/b.jpg", "jpeg"],
        ["x.png/1.jpg", "jpeg"],
        ["x.png", "png"],
      ]),
    ).toEqual(["a.jpg", "a.jpg_2/b.jpg", "x.png/1.jpg", "x_2.png"]);
  });
});

describe("images with folders (the project's relative paths)", () => {
  const images: SampleImage[] = [
    { id: 1, fileName: "0001.jpg", path: "cam_a/0001.jpg", width: 20, height: 20, shapes: [] },
    {
      id: 2,
      fileName: "0001.jpg",
      path: "cam_b/images/0001.jpg",
      width: 20,
      height: 20,
      shapes: [{ id: "b", labelIndex: 0, geometry: { type: "box", x: 0, y: 0, width: 10, height: 10 } }],
    },
    { id: 3, fileName: "0001.jpg", width: 20, height: 20, shapes: [] },
  ];
  const encode = (format: FormatId) => {
    const files = new Map<string, string>();
    const imagePaths: string[] = [];
    const src = memorySource(["car"], images, undefined, "seed", format);
    for (const e of encodeDataset(src, exportOptions(format, { includeImages: true }))) {
      if (e.kind === "image") imagePaths.push(e.path);
      else if (e.kind === "text") files.set(e.path, e.text);
      else files.set(e.path, decodeUtf8(e.chunks));
    }
    return { files, imagePaths };
  };

  it("YOLO keeps the folders, and each label file is where Ultralytics looks for it", () => {
    const { files, imagePaths } = encode("yolo");
    expect(imagePaths).toEqual([
      "images/train/cam_a/0001.jpg",
      "images/train/cam_b/images_/0001.jpg",
      "images/train/0001.jpg",
    ]);
    // ultralytics.data.utils.img2label_paths: the last /images/ becomes /labels/, the suffix .txt.
    const labelOf = (p: string) => {
      const at = `/${p}`.lastIndexOf("/images/");
      const swapped = `${`/${p}`.slice(0, at)}/labels/${`/${p}`.slice(at + "/images/".length)}`.slice(1);
      return `${swapped.slice(0, swapped.lastIndexOf("."))}.txt`;
    };
    for (const p of imagePaths) expect(files.has(labelOf(p)), p).toBe(true);
    expect(files.get("labels/train/cam_b/images_/0001.txt")).toBe("0 0.250000 0.250000 0.500000 0.500000\n");
  });

  it("COCO keeps the folders in file_name; VOC folds them into flat ids", () => {
    const coco = JSON.parse(encode("coco").files.get("annotations/instances_train.json") ?? "{}");
    expect(coco.images.map((i: { file_name: string }) => i.file_name)).toEqual([
      "cam_a/0001.jpg",
      "cam_b/images/0001.jpg",
      "0001.jpg",
    ]);
    const voc = encode("voc");
    expect(voc.files.get("ImageSets/Main/train.txt")).toBe("cam_a_0001\ncam_b_images_0001\n0001\n");
    expect(voc.imagePaths).toEqual([
      "JPEGImages/cam_a_0001.jpg",
      "JPEGImages/cam_b_images_0001.jpg",
      "JPEGImages/0001.jpg",
    ]);
  });
});

describe("YOLO coordinates", () => {
  it("keeps centre ± size/2 inside [0, 1] so a clamping reader changes nothing", () => {
    expect(yoloAxis(0, 15, 15)).toEqual([500000, 1000000]);
    expect(yoloAxis(15, 1, 16)).toEqual([968750, 62500]);
    // 4/15 = 0.2666…: centre 0.133333 and size 0.266667 would put the left edge at -0.0000005.
    const [c, w] = yoloAxis(0, 4, 15);
    expect(2 * c).toBeGreaterThanOrEqual(w);
    let seed = 1;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 20000; i++) {
      const size = 1 + Math.floor(rand() * 5000);
      const start = rand() * size;
      const span = Math.max(1e-3, rand() * (size - start));
      const [cm, wm] = yoloAxis(start, span, size);
      expect(2 * cm - wm).toBeGreaterThanOrEqual(0);
      expect(2 * cm + wm).toBeLessThanOrEqual(2_000_000);
      // Decoding and encoding again gives the same integers.
      const x1 = (cm / 1e6 - wm / 2e6) * size;
      const x2 = (cm / 1e6 + wm / 2e6) * size;
      expect(yoloAxis(x1, x2 - x1, size)).toEqual([cm, wm]);
    }
  });
});

describe("VOC coordinates", () => {
  it("maps continuous pixels to 1-based inclusive indices and widens sub-pixel boxes to one pixel", () => {
    expect(toVocBox({ x: 0, y: 0, width: 640, height: 480 }, 640, 480)).toMatchObject({
      xmin: 1,
      ymin: 1,
      xmax: 640,
      ymax: 480,
      rounded: false,
    });
    expect(toVocBox({ x: 2.4, y: 1, width: 3.2, height: 2 }, 10, 10)).toMatchObject({
      xmin: 3,
      xmax: 6,
      ymin: 2,
      ymax: 3,
      rounded: true,
      widened: false,
    });
    expect(toVocBox({ x: 9.9, y: 0, width: 0.1, height: 0.2 }, 10, 10)).toMatchObject({
      xmin: 9,
      xmax: 10,
      ymin: 1,
      ymax: 2,
      widened: true,
    });
  });

  it("never writes xmax == xmin: a 1-pixel box becomes 2 pixels, an image under 2 pixels gets none", () => {
    // A whole-pixel box one pixel wide was xmin == xmax: a zero width for every reader but the devkit.
    expect(toVocBox({ x: 5, y: 5, width: 1, height: 1 }, 10, 10)).toMatchObject({
      xmin: 6,
      xmax: 7,
      ymin: 6,
      ymax: 7,
      rounded: false,
      widened: true,
    });
    expect(toVocBox({ x: 0, y: 0, width: 1, height: 5 }, 1, 10)).toBeNull();
    let seed = 7;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 5000; i++) {
      const size = 2 + Math.floor(rand() * 50);
      const x = rand() * size;
      const b = toVocBox({ x, y: x, width: rand() * (size - x) + 1e-9, height: 1e-9 }, size, size);
      if (!b) throw new Error("a box on an image of 2 px or more must be written");
      expect(b.xmax).toBeGreaterThan(b.xmin);
      expect(b.ymax).toBeGreaterThan(b.ymin);
      expect(b.xmin).toBeGreaterThanOrEqual(1);
      expect(b.xmax).toBeLessThanOrEqual(size);
    }
  });
});

describe("shapes a format cannot write without a zero size", () => {
  it("VOC: an image 1 px wide gets no object, the report and the manifest say so", () => {
    const files = encodeToFiles(
      memorySource(
        ["line"],
        [
          {
            id: 1,
            fileName: "scanline.png",
            format: "png",
            width: 1,
            height: 40,
            shapes: [{ id: "s", labelIndex: 0, geometry: { type: "box", x: 0, y: 0, width: 1, height: 40 } }],
          },
        ],
        undefined,
        "seed",
        "voc",
      ),
      exportOptions("voc"),
    );
    expect(files.get("Annotations/scanline.xml")).not.toContain("<object>");
    const report = JSON.parse(files.get("export-report.json") ?? "{}");
    expect(report.items.find((i: { code: string }) => i.code === "SHAPE_NOT_WRITTEN")).toMatchObject({
      count: 1,
      examples: [{ image: "scanline.jpg", shape: 1 }],
    });
    const manifest = JSON.parse(files.get("manifest.json") ?? "{}");
    expect(manifest.counts.annotations.total).toBe(0);
    expect(manifest.counts.emptyImages.total).toBe(1);
  });
});

describe("COCO against pycocotools' rules", () => {
  const coco = encodeToFiles(
    memorySource(SAMPLE_LABELS, SAMPLE_IMAGES, SAMPLE_SPLIT, SAMPLE_SEED, "coco"),
    exportOptions("coco", { split: SAMPLE_SPLIT, seed: SAMPLE_SEED }),
  );
  const docs = [...coco]
    .filter(([p]) => p.startsWith("annotations/"))
    .map(([p, t]) => [p, JSON.parse(t)] as const);

  it.each(docs)("%s breaks none of the rules COCO(), loadRes and COCOeval rely on", (_p, doc) => {
    expect(validateCocoForPycocotools(doc)).toEqual([]);
  });

  it.each(docs)("%s evaluates against itself with bbox AP 1.0", (_p, doc) => {
    expect(cocoSelfEvaluation(doc)).toBe(1);
  });

  it("the fast annotation line is byte for byte JSON.stringify of the annotation object", () => {
    let seed = 7;
    const r = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed / 2147483647) * 1000 - 10;
    };
    for (let i = 0; i < 2000; i++) {
      const geometry =
        i % 2 === 0
          ? ({ type: "box", x: r(), y: -0, width: r() + 20, height: 0.1 + 0.2 } as const)
          : ({
              type: "polygon",
              points: [
                [r(), r()],
                [r(), -0],
                [0.1 + 0.2, r()],
              ],
            } as const);
      const shape = { id: `s${i}`, labelIndex: 0, geometry: geometry as Geometry };
      expect(cocoAnnotationLine(i + 1, 3, 2, shape)).toBe(JSON.stringify(cocoAnnotation(i + 1, 3, 2, shape)));
    }
  });

  it("the validator catches what breaks pycocotools", () => {
    const bad = {
      info: {},
      licenses: [],
      images: [{ id: 1, file_name: "a.jpg", width: 10, height: 10 }],
      categories: [{ id: 1, name: "a" }],
      annotations: [
        { id: 0, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], area: 1, segmentation: [], iscrowd: 0 },
        {
          id: 2,
          image_id: 9,
          category_id: 3,
          bbox: [0, 0, 1],
          area: 0,
          segmentation: [[1, 2, 3]],
          iscrowd: 2,
        },
      ],
    };
    expect(validateCocoForPycocotools(bad)).toEqual([
      'annotations[0].id: 0; COCOeval treats id 0 as "unmatched", ids must start at 1',
      "annotations[0].segmentation: must be an RLE or a non-empty list of polygons (segm evaluation indexes [0])",
      "annotations[1].image_id: no such image",
      "annotations[1].category_id: no such category",
      "annotations[1].iscrowd: must be 0 or 1",
      "annotations[1].bbox: not [x, y, w, h]",
      "annotations[1].area: must be a positive number",
      "annotations[1].segmentation[0]: a polygon needs an even count (>= 6) of numbers",
    ]);
    // With id 0 the self-evaluation drops like pycocotools' does (0 means "unmatched" there).
    expect(cocoSelfEvaluation(bad)).toBeLessThan(1);
  });
});

describe("problems name the file and the line or field", () => {
  const yaml = 'path: .\ntrain: images/train\nnames: ["a", "b", "c", "d", "e"]\n';

  it("YOLO: class out of range, bad numbers, wrong value counts", () => {
    const f = files(
      {
        "data.yaml": yaml,
        "labels/train/img_004.txt":
          "0 0.5 0.5 0.1 0.1\n1 0.5 0.5 0.2 0.2\n7 0.5 0.5 0.1 0.1\nx 1 1 1 1\n2 0.5 abc 0.1 0.1\n3 0.5 0.5 0.1\n",
      },
      ["images/train/img_004.jpg"],
    );
    expect(problemsOf("yolo", f, { "images/train/img_004.jpg": { width: 100, height: 50 } })).toEqual([
      "labels/train/img_004.txt line 3: class 7 not in data.yaml names (0-4)",
      'labels/train/img_004.txt line 4: class "x" is not a class index',
      'labels/train/img_004.txt line 5: value 3 ("abc") is not a number',
      'labels/train/img_004.txt line 6: expected "class cx cy w h" or "class x1 y1 x2 y2 x3 y3 ..." (at least 3 points), got 3 values',
    ]);
  });

  it("YOLO: a label file with no image anywhere, boxes beyond the image, no class names", () => {
    const f = files({ "data.yaml": yaml, "labels/train/ghost.txt": "0 1.5 0.5 0.2 0.2\n" });
    expect(problemsOf("yolo", f, {})).toEqual(['labels/train/ghost.txt: no image "ghost"']);
    const g = files({ "data.yaml": yaml, "labels/train/a.txt": "0 1.5 0.5 0.2 0.2\n" }, [
      "images/train/a.jpg",
    ]);
    expect(problemsOf("yolo", g, { "images/train/a.jpg": { width: 100, height: 50 } })).toEqual([
      'labels/train/a.txt line 1: box [140, 20, 160, 30] lies outside the image 100x50 (image "a.jpg" is 100x50)',
    ]);
    expect(problemsOf("yolo", files({ "labels/a.txt": "0 0.5 0.5 0.1 0.1" }), {})).toEqual([
      "(dataset): no class names: expected data.yaml (names), classes.txt or obj.names",
    ]);
    expect(problemsOf("yolo", files({ "data.yaml": "names: [a\ntrain: x" }), {})[0]).toMatch(
      /^data\.yaml line \d+: not valid YAML: /,
    );
  });

  it("YOLO: invalidShapes=skip turns shape errors into warnings and keeps the rest", () => {
    const f = files({ "data.yaml": yaml, "labels/a.txt": "0 0.5 0.5 0.1 0.1\n9 0.5 0.5 0.1 0.1\n" }, [
      "images/a.jpg",
    ]);
    const d = decodeDataset("yolo", f, finderFor(new Map([["images/a.jpg", { width: 10, height: 10 }]])), {
      invalidShapes: "skip",
    });
    expect(d.ok).toBe(true);
    expect(d.problems.map(formatProblem)).toEqual([
      "labels/a.txt line 2: class 9 not in data.yaml names (0-4); skipped",
    ]);
    expect(d.value.images[0]?.annotations).toHaveLength(1);
  });

  it("COCO: broken JSON, dangling ids, EXIF-swapped sizes, bad polygons", () => {
    expect(problemsOf("coco", files({ "ann.json": '{"images": [], "annotations": [' }), {})[0]).toMatch(
      /^ann\.json: not valid JSON: /,
    );
    const doc = {
      images: [
        { id: 1, file_name: "a.jpg", width: 10, height: 20 },
        { id: 2, file_name: "b.jpg", width: 10, height: 10 },
      ],
      categories: [{ id: 0, name: "zero" }],
      annotations: [
        { id: 1, image_id: 3, category_id: 0, bbox: [0, 0, 1, 1] },
        { id: 2, image_id: 2, category_id: 5, bbox: [0, 0, 1, 1] },
        { id: 3, image_id: 2, category_id: 0, segmentation: [[0, 0, 1]] },
        { id: 4, image_id: 2, category_id: 0, bbox: [0, 0, 0, 1] },
      ],
    };
    expect(
      problemsOf("coco", files({ "ann.json": JSON.stringify(doc) }, ["a.jpg", "b.jpg"]), {
        "a.jpg": { width: 20, height: 10 },
        "b.jpg": { width: 10, height: 10 },
      }),
    ).toEqual([
      'ann.json images[0]: declares 10x20 but "a.jpg" is 20x10 as displayed (width and height swapped: the annotations were made on the image without its EXIF rotation)',
      "ann.json annotations[0].image_id: 3 is not an image id of this file",
      "ann.json annotations[1].category_id: 5 is not a category id of this file",
      "ann.json annotations[2].segmentation: a polygon is a flat list of at least 3 x,y pairs",
      'ann.json annotations[3].bbox: box width and height must be positive (image "b.jpg" is 10x10)',
    ]);
  });

  it("COCO: the vertex and tag limits, and a self-crossing polygon", { timeout: 30_000 }, () => {
    const ring = (n: number) =>
      Array.from({ length: n }, (_, i) => [
        50 + 40 * Math.cos((2 * Math.PI * i) / n),
        50 + 40 * Math.sin((2 * Math.PI * i) / n),
      ]).flat();
    const doc = {
      images: [
        { id: 1, file_name: "a.jpg", width: 100, height: 100, tags: [] as string[] },
        { id: 2, file_name: "b.jpg", width: 100, height: 100 },
      ],
      categories: [{ id: 1, name: "thing" }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, segmentation: [ring(MAX_POLYGON_VERTICES + 1)] },
        { id: 2, image_id: 1, category_id: 1, segmentation: [ring(MAX_POLYGON_VERTICES)] },
        { id: 3, image_id: 1, category_id: 1, segmentation: [[10, 10, 40, 40, 40, 10, 10, 30]] },
      ],
    };
    doc.images[0]?.tags?.push(...Array.from({ length: MAX_TAGS_PER_IMAGE + 2 }, (_, i) => `tag ${i}`));
    expect(
      problemsOf("coco", files({ "ann.json": JSON.stringify(doc) }, ["a.jpg", "b.jpg"]), {
        "a.jpg": { width: 100, height: 100 },
        "b.jpg": { width: 100, height: 100 },
      }),
    ).toEqual([
      'ann.json images[0].tags[1000]: image "a.jpg" gets more than 1,000 tags, the limit per image',
      'ann.json annotations[0].segmentation: polygon has 20,001 vertices; at most 20,000 vertices are allowed (image "a.jpg")',
      'ann.json annotations[2].segmentation: polygon outline crosses itself: edge 0 (points 0-1) crosses edge 2 (points 2-3) at (22, 22) (image "a.jpg" is 100x100)',
    ]);
  });

  it("COCO: more shapes on one image than the limit is one error", { timeout: 60_000 }, () => {
    const doc = {
      images: [{ id: 1, file_name: "a.jpg", width: 100, height: 100 }],
      categories: [{ id: 1, name: "thing" }],
      annotations: Array.from({ length: MAX_SHAPES_PER_IMAGE + 2 }, (_, i) => ({
        id: 1 + i,
        image_id: 1,
        category_id: 1,
        bbox: [1, 1, 2, 2],
      })),
    };
    expect(
      problemsOf("coco", files({ "ann.json": JSON.stringify(doc) }, ["a.jpg"]), {
        "a.jpg": { width: 100, height: 100 },
      }),
    ).toEqual([
      'ann.json annotations[100000].bbox: image "a.jpg" gets more than 100,000 shapes, the limit per image',
    ]);
  });

  it("VOC: malformed XML with its line, missing bndbox, non-numeric coordinates", () => {
    expect(
      problemsOf("voc", files({ "Annotations/a.xml": "<annotation>\n<object>\n</annotation>" }), {})[0],
    ).toMatch(/^Annotations\/a\.xml line 3: not well-formed XML: /);
    const xml = (objects: string) =>
      `<annotation><filename>a.jpg</filename><size><width>10</width><height>10</height></size>${objects}</annotation>`;
    expect(
      problemsOf(
        "voc",
        files(
          {
            "Annotations/a.xml": xml(
              "<object><name>cat</name></object><object><name>dog</name><bndbox><xmin>1</xmin><ymin>one</ymin><xmax>3</xmax><ymax>4</ymax></bndbox></object><object><bndbox/></object>",
            ),
          },
          ["JPEGImages/a.jpg"],
        ),
        { "JPEGImages/a.jpg": { width: 10, height: 10 } },
      ),
    ).toEqual([
      "Annotations/a.xml object 1 (cat) bndbox: missing",
      "Annotations/a.xml object 2 (dog) bndbox: ymin is not a number",
      "Annotations/a.xml object 3 name: missing or empty",
    ]);
  });
});

describe("duplicate file stems in different folders", () => {
  const sizes = new Map([
    ["images/train/img.jpg", { width: 10, height: 10 }],
    ["images/val/img.jpg", { width: 20, height: 20 }],
  ]);

  it("YOLO pairs each label file with the image in its own split folder", () => {
    const d = decodeDataset(
      "yolo",
      files(
        {
          "data.yaml": "names: [a, b]\n",
          "labels/train/img.txt": "0 0.5 0.5 0.2 0.2\n",
          "labels/val/img.txt": "1 0.5 0.5 0.5 0.5\n",
        },
        [...sizes.keys()],
      ),
      finderFor(sizes),
    );
    expect(d.problems).toEqual([]);
    expect(
      d.value.images.map((i) => [i.key, i.split, i.annotations[0]?.label, i.annotations[0]?.geometry]),
    ).toEqual([
      ["images/train/img.jpg", "train", "a", { type: "box", x: 4, y: 4, width: 2, height: 2 }],
      ["images/val/img.jpg", "val", "b", { type: "box", x: 5, y: 5, width: 10, height: 10 }],
    ]);
  });

  it("COCO resolves file_name with its folder; a bare duplicate name is reported as ambiguous", () => {
    const coco = (a: string, b: string) =>
      JSON.stringify({
        images: [
          { id: 1, file_name: a, width: 10, height: 10 },
          { id: 2, file_name: b, width: 20, height: 20 },
        ],
        categories: [{ id: 1, name: "a" }],
        annotations: [
          { id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 2, 2] },
          { id: 2, image_id: 2, category_id: 1, bbox: [3, 3, 2, 2] },
        ],
      });
    const ok = decodeDataset(
      "coco",
      files({ "ann.json": coco("images/train/img.jpg", "images/val/img.jpg") }, [...sizes.keys()]),
      finderFor(sizes),
    );
    expect(ok.problems).toEqual([]);
    expect(ok.value.images.map((i) => [i.key, i.annotations.length])).toEqual([
      ["images/train/img.jpg", 1],
      ["images/val/img.jpg", 1],
    ]);
    const ambiguous = decodeDataset(
      "coco",
      files({ "ann.json": coco("img.jpg", "img.jpg") }, [...sizes.keys()]),
      finderFor(sizes),
    );
    expect(ambiguous.problems.map(formatProblem)).toEqual([
      'ann.json images[0] (img.jpg): 2 images in the upload are named "img.jpg" (images/train/img.jpg, images/val/img.jpg); give the path',
      'ann.json images[1] (img.jpg): 2 images in the upload are named "img.jpg" (images/train/img.jpg, images/val/img.jpg); give the path',
    ]);
  });
});

describe("scale and streaming", () => {
  it("1,000 labels keep their order and class ids in every format", () => {
    const labels = Array.from({ length: 1000 }, (_, i) => `class ${String(i).padStart(4, "0")}`);
    const images: SampleImage[] = [
      {
        id: 1,
        fileName: "a.jpg",
        width: 100,
        height: 100,
        shapes: labels.map((_, i) => ({
          id: `s${i}`,
          labelIndex: i,
          geometry: { type: "box", x: i % 90, y: 1, width: 5, height: 5 },
        })),
      },
    ];
    for (const format of ["coco", "yolo", "voc"] as const) {
      const src = memorySource(labels, images, undefined, "seed", format);
      const out = encodeToFiles(src, exportOptions(format));
      const decoded = decodeDataset(
        format,
        { texts: out, imagePaths: [] },
        finderFor(new Map(), new Map([["a.jpg", { width: 100, height: 100 }]])),
      );
      expect(decoded.problems).toEqual([]);
      expect(decoded.value.labels).toEqual(labels);
      expect(decoded.value.images[0]?.annotations.map((a) => a.label)).toEqual(labels);
    }
    const yolo = encodeToFiles(
      memorySource(labels, images, undefined, "seed", "yolo"),
      exportOptions("yolo"),
    );
    expect(yolo.get("data.yaml")).toContain('  999: "class 0999"\n');
    expect(yolo.get("labels/train/a.txt")?.split("\n")[999]?.startsWith("999 ")).toBe(true);
  });

  it.each(["coco", "yolo", "yolo-seg", "voc"] as const)(
    "%s reads images from the source only as the consumer asks for files",
    (format) => {
      // Enough images that a COCO file spans several ~64 KiB batches.
      const n = 3000;
      const images: SampleImage[] = Array.from({ length: n }, (_, i) => ({
        id: i + 1,
        fileName: `img${i}.jpg`,
        width: 10,
        height: 10,
        shapes: [{ id: `a${i}`, labelIndex: 0, geometry: { type: "box", x: 1, y: 1, width: 2, height: 2 } }],
      }));
      const base = memorySource(["a"], images, undefined, "seed", format);
      let pulled = 0;
      const source: ExportSource = {
        labels: base.labels,
        plan: base.plan,
        *items(split) {
          for (const item of base.items(split)) {
            pulled++;
            yield item as ExportItem;
          }
        },
      };
      let maxAhead = 0;
      let produced = 0;
      for (const entry of encodeDataset(source, exportOptions(format))) {
        if (entry.kind === "stream") {
          for (const chunk of entry.chunks) {
            produced += decodeUtf8([chunk]).split('"image_id"').length - 1;
            maxAhead = Math.max(maxAhead, pulled - produced);
          }
        } else if (entry.path.startsWith("labels/") || entry.path.startsWith("Annotations/")) {
          produced++;
          maxAhead = Math.max(maxAhead, pulled - produced);
        }
      }
      expect(pulled).toBe(n);
      // COCO lines are joined into ~64 KiB batches (~130 bytes per line here): one batch ahead at most.
      expect(maxAhead).toBeLessThanOrEqual(format === "coco" ? 600 : 1);
    },
  );
});

describe("format detection", () => {
  it("trusts a Labelbench manifest, then looks at the files", () => {
    expect(
      detectFormat(files({ "manifest.json": '{"generator":"labelbench","format":"yolo-seg"}' })),
    ).toMatchObject({
      ok: true,
      format: "yolo-seg",
    });
    expect(detectFormat(files({ "x.json": '{"images":[],"annotations":[]}' }))).toMatchObject({
      ok: true,
      format: "coco",
    });
    expect(detectFormat(files({ "notes.txt": "hello" }))).toMatchObject({ ok: false });
  });
});

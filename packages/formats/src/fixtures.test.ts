import path from "node:path";
import type { Geometry } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import type { DecodeOptions } from "./decode-common.js";
import { decodeDataset, detectFormat } from "./import.js";
import { formatProblem } from "./problems.js";
import { FIXTURES, finderFor, HAVE_FIXTURES, readDatasetDir } from "./testing/helpers.js";
import type { Decoded, DecodedImage, FormatId } from "./types.js";

/**
 * Datasets other tools wrote (../shared/fixtures, see its SOURCES.md): each must decode to the
 * values SOURCES.md gives. Skipped, with a warning printed by the helpers, when the folder is absent.
 */
const SKIPPED = HAVE_FIXTURES ? "" : ` (skipped: ${FIXTURES} not found)`;

const decodeDir = (
  rel: string,
  format?: FormatId,
  options: DecodeOptions = {},
): Decoded & { detected: string } => {
  const files = readDatasetDir(path.join(FIXTURES, rel));
  const d = detectFormat(files);
  if (!d.ok && !format) throw new Error(`${rel}: ${d.reason}`);
  const f = format ?? (d.ok ? d.format : "coco");
  return { ...decodeDataset(f, files, finderFor(files.sizes), options), detected: d.ok ? d.format : "none" };
};

const image = (d: Decoded, fileName: string): DecodedImage => {
  const img = d.value.images.find((i) => i.fileName === fileName);
  if (!img)
    throw new Error(`no decoded image ${fileName}; have ${d.value.images.map((i) => i.fileName).join(", ")}`);
  return img;
};

const box = (x: number, y: number, width: number, height: number): Geometry => ({
  type: "box",
  x,
  y,
  width,
  height,
});

/** Geometry equality within `tol` pixels (YOLO files hold 6 decimals of normalized values). */
const near = (g: Geometry | undefined, expected: Geometry, tol = 1e-9) => {
  expect(g?.type).toBe(expected.type);
  const flat = (x: Geometry) => (x.type === "box" ? [x.x, x.y, x.width, x.height] : x.points.flat());
  const a = flat(g as Geometry);
  const e = flat(expected);
  expect(a.length).toBe(e.length);
  a.forEach((v, i) => {
    expect(Math.abs(v - (e[i] ?? Number.NaN)), `value ${i}: ${v} vs ${e[i]}`).toBeLessThanOrEqual(tol);
  });
};

const errors = (d: Decoded) => d.problems.filter((p) => p.severity === "error").map(formatProblem);
const warnings = (d: Decoded) => d.problems.filter((p) => p.severity === "warning").map(formatProblem);

describe.skipIf(!HAVE_FIXTURES)(`external COCO files${SKIPPED}`, () => {
  it("datumaro coco_instances: non-contiguous ids, extra fields, iscrowd RLE skipped with a warning", () => {
    const d = decodeDir("datumaro/coco_instances");
    expect(d.detected).toBe("coco");
    expect(errors(d)).toEqual([]);
    expect(d.value.labels).toEqual(["a", "b", "c"]);
    const a = image(d, "a.jpg");
    expect([a.width, a.height, a.split]).toEqual([10, 5, "train"]);
    expect(a.annotations).toEqual([
      {
        label: "b",
        geometry: box(2, 2, 3, 1),
        file: "annotations/instances_train.json",
        where: "annotations[0].bbox",
      },
    ]);
    const b = image(d, "b.jpg");
    expect([b.width, b.height, b.split]).toEqual([5, 10, "val"]);
    // The polygon [[0,0,1,0,1,2,0,2]] is exactly the corners of its bbox [0,0,1,2]: a box.
    expect(b.annotations.map((x) => [x.label, x.geometry])).toEqual([["a", box(0, 0, 1, 2)]]);
    // CVAT's and Datumaro's `attributes` object on the annotation, JSON types kept.
    expect(b.annotations[0]?.attributes).toEqual({ x: 1, y: "hello" });
    expect(a.annotations[0]).not.toHaveProperty("attributes");
    expect(warnings(d)).toEqual([
      "annotations/instances_val.json annotations[1]: iscrowd RLE mask skipped: masks are not supported (bbox [0,0,1,9] not imported)",
    ]);
  });

  it("datumaro coco_roboflow: Roboflow's layout (_annotations.coco.json beside the images)", () => {
    const d = decodeDir("datumaro/coco_roboflow");
    expect(errors(d)).toEqual([]);
    expect(d.value.images.map((i) => [i.key, i.split])).toEqual([
      ["train/a.jpg", "train"],
      ["val/b.jpg", "val"],
    ]);
    expect(image(d, "a.jpg").annotations[0]?.geometry).toEqual(box(2, 2, 3, 1));
  });

  it("datumaro roboflow_coco: annotation id 0 imports; a crowd bbox imports with a warning", () => {
    const d = decodeDir("datumaro/roboflow_coco");
    expect(errors(d)).toEqual([]);
    expect(d.value.labels).toEqual(["label_0", "label_1"]);
    expect(image(d, "train_001.jpg").annotations.map((a) => [a.label, a.geometry])).toEqual([
      ["label_0", box(2, 1, 3, 1)],
    ]);
    expect(image(d, "train_002.jpg").annotations.map((a) => [a.label, a.geometry])).toEqual([
      ["label_1", box(0, 0, 2, 4)],
    ]);
    expect(image(d, "val_001.jpg").annotations.map((a) => [a.label, a.geometry])).toEqual([
      ["label_0", box(0, 0, 1, 2)],
      ["label_1", box(0, 0, 9, 1)],
    ]);
    expect(warnings(d)).toEqual([
      "val/_annotations.coco.json annotations[1].iscrowd: crowd flag not kept: imported as a regular object",
    ]);
  });

  it("labelme instance segmentation: its two self-crossing polygons block the import, named precisely", () => {
    // SOURCES.md: "Two polygons (ids 6 and 7) self-intersect" (hand-drawn person outlines that loop).
    const d = decodeDir("labelme/instance_segmentation_coco");
    expect(d.ok).toBe(false);
    expect(errors(d)).toEqual([
      'annotations.json annotations[6].segmentation: polygon outline crosses itself: edge 7 (points 7-8) crosses edge 10 (points 10-11) at (117.79, 222.91) (image "2011_000006.jpg" is 500x375)',
      'annotations.json annotations[7].segmentation: polygon outline crosses itself: edge 10 (points 10-11) crosses edge 12 (points 12-13) at (244.74, 254.58) (image "2011_000006.jpg" is 500x375)',
    ]);
  });

  it("labelme instance segmentation: ids from 0, _background_, multi-polygons, sub-folder file names", () => {
    // Skipping invalid shapes imports everything but the two self-crossing polygons.
    const d = decodeDir("labelme/instance_segmentation_coco", undefined, { invalidShapes: "skip" });
    expect(errors(d)).toEqual([]);
    // `_background_` (category 0) has no annotations: not created; the other 20 keep their order.
    expect(d.value.labels).toHaveLength(20);
    expect(d.value.labels.slice(0, 3)).toEqual(["aeroplane", "bicycle", "bird"]);
    expect(d.value.labels.at(-1)).toBe("tv/monitor");
    expect(d.value.images.map((i) => [i.key, i.width, i.height])).toEqual([
      ["JPEGImages/2011_000003.jpg", 500, 338],
      ["JPEGImages/2011_000025.jpg", 500, 375],
      ["JPEGImages/2011_000006.jpg", 500, 375],
    ]);
    // 12 annotations, two of them with 2 and 4 polygons: 12 + 1 + 3 = 16 polygons, less the 2 skipped.
    const all = d.value.images.flatMap((i) => i.annotations);
    expect(all).toHaveLength(14);
    expect(warnings(d).filter((w) => w.includes("crosses itself"))).toHaveLength(2);
    expect(all.every((a) => a.geometry.type === "polygon")).toBe(true);
    expect(image(d, "2011_000003.jpg").annotations.map((a) => a.label)).toEqual([
      "person",
      "person",
      "person",
      "bottle",
    ]);
    expect(warnings(d)).toContain(
      "annotations.json annotations[1].segmentation: 2 polygons imported as 2 annotations",
    );
    expect(warnings(d)).toContain(
      "annotations.json annotations[11].segmentation: 4 polygons imported as 4 annotations",
    );
    expect(warnings(d)).toContain(
      '(labels): class "_background_" is a placeholder with no annotations; not created',
    );
  });
});

describe.skipIf(!HAVE_FIXTURES)(`external YOLO files${SKIPPED}`, () => {
  const v8 = "cvat-datumaro/yolo_dataset";
  const labels10 = Array.from({ length: 10 }, (_, i) => `label_${i}`);
  // labels/train/1.txt on the 15x10 image: class 2 at x=0 y=2 w=4 h=2, class 4 at 3,3,2,3.
  const expectDetection = (d: Decoded) => {
    expect(errors(d)).toEqual([]);
    expect(d.value.labels).toEqual(labels10);
    const img = image(d, "1.jpg");
    expect([img.width, img.height]).toEqual([15, 10]);
    expect(img.annotations.map((a) => a.label)).toEqual(["label_2", "label_4"]);
    near(img.annotations[0]?.geometry, box(0, 2, 4, 2), 1e-5);
    near(img.annotations[1]?.geometry, box(3, 3, 2, 3), 1e-5);
  };

  it.each([
    "yolov8_detection",
    "yolov8_detection_with_list_of_names",
    "yolov8_detection_with_list_of_imgs",
    "yolov8_detection_with_subset_txt",
  ])("%s decodes to the two known boxes (names as map or list, no val key)", (dir) => {
    const d = decodeDir(`${v8}/${dir}`);
    expect(d.detected).toBe("yolo");
    expect(d.value.format).toBe("yolo");
    expectDetection(d);
  });

  it("Darknet layout (obj.names, obj_train_data/, data/ paths) decodes to the same boxes", () => {
    const d = decodeDir("datumaro/yolo_darknet_strict");
    expectDetection(d);
    expect(image(d, "1.jpg").key).toBe("obj_train_data/1.jpg");
    expect(d.value.ignored).toContain("train.txt");
  });

  it("segmentation: the triangle and the pentagon of SOURCES.md", () => {
    const d = decodeDir(`${v8}/yolov8_segmentation`);
    expect(errors(d)).toEqual([]);
    expect(d.value.format).toBe("yolo-seg");
    const [tri, penta] = image(d, "1.jpg").annotations;
    expect(tri?.label).toBe("label_2");
    near(
      tri?.geometry,
      {
        type: "polygon",
        points: [
          [1.5, 1],
          [6, 1],
          [6, 5],
        ],
      },
      1e-9,
    );
    expect(penta?.label).toBe("label_4");
    near(
      penta?.geometry,
      {
        type: "polygon",
        points: [
          [3, 1.5],
          [6, 1.5],
          [6, 7.5],
          [4.5, 7.5],
          [3.75, 3],
        ],
      },
      1e-9,
    );
  });

  it("oriented boxes: 4-point polygons, slightly negative values clamped into the image", () => {
    const d = decodeDir(`${v8}/yolov8_oriented_boxes`);
    expect(errors(d)).toEqual([]);
    const shapes = image(d, "1.jpg").annotations;
    expect(shapes).toHaveLength(2);
    for (const s of shapes) {
      expect(s.geometry.type).toBe("polygon");
      if (s.geometry.type === "polygon") {
        expect(s.geometry.points).toHaveLength(4);
        for (const [x, y] of s.geometry.points) {
          expect(x).toBeGreaterThanOrEqual(0);
          expect(y).toBeGreaterThanOrEqual(0);
        }
      }
    }
    // -0.009808 * 10 = -0.098 px: clamped to 0 (within the 1 px tolerance).
    const second = shapes[1]?.geometry;
    expect(second?.type === "polygon" ? second.points[3] : null).toEqual([0.442265 * 15, 0]);
  });

  it("pose: the box is kept, the keypoints are reported as dropped", () => {
    const d = decodeDir(`${v8}/yolov8_pose`);
    expect(errors(d)).toEqual([]);
    expect(d.value.labels).toEqual(["skeleton_label"]);
    near(image(d, "1.jpg").annotations[0]?.geometry, box(0, 2, 4, 2), 1e-5);
    expect(warnings(d)).toEqual(["data.yaml kpt_shape: keypoints of 1 object(s) dropped: boxes kept"]);
  });

  it("Roboflow: inverted layout, names list, nc, a val path that does not exist", () => {
    const d = decodeDir("datumaro/roboflow_yolo");
    expect(errors(d)).toEqual([]);
    expect(d.value.labels).toEqual(["label_0", "label_1"]);
    const val = image(d, "val_001.jpg");
    expect([val.width, val.height, val.split]).toEqual([10, 5, "val"]);
    expect(val.annotations.map((a) => a.label)).toEqual(["label_0", "label_1"]);
    near(val.annotations[0]?.geometry, box(0, 0, 1, 2));
    near(val.annotations[1]?.geometry, box(0, 0, 9, 1));
    expect(image(d, "train_001.jpg").split).toBe("train");
  });

  it("Label Studio: classes.txt, images/ + labels/, real 640x329 photos", () => {
    const d = decodeDir("label-studio-converter/yolo_import_unif_dims");
    expect(d.detected).toBe("yolo");
    expect(errors(d)).toEqual([]);
    expect(d.value.labels).toEqual(["closed_door", "opened_door", "bus", "number"]);
    expect(d.value.images).toHaveLength(5);
    const img = image(d, "img_1.jpg");
    expect([img.width, img.height]).toEqual([640, 329]);
    expect(img.annotations.map((a) => a.label)).toEqual(["bus", "number", "closed_door", "closed_door"]);
    near(img.annotations[0]?.geometry, box(10, 9, 617, 286), 1e-6);
    near(img.annotations[1]?.geometry, box(162, 32, 46, 45), 1e-6);
    near(img.annotations[2]?.geometry, box(237, 59, 78, 232), 1e-6);
    near(img.annotations[3]?.geometry, box(477, 69, 58, 193), 1e-6);
  });
});

describe.skipIf(!HAVE_FIXTURES)(`external Pascal VOC files${SKIPPED}`, () => {
  it("datumaro voc_dataset1: 1-based bndbox, flags and parts reported, masks ignored, background image", () => {
    const d = decodeDir("datumaro/voc_dataset1");
    expect(d.detected).toBe("voc");
    expect(errors(d)).toEqual([]);
    expect(d.value.labels).toEqual(["cat", "person"]);
    const one = image(d, "2007_000001.jpg");
    expect([one.width, one.height, one.split]).toEqual([20, 10, "train"]);
    // datumaro writes xmin = x with no 1-based shift, so under VOC's rule its boxes read one
    // pixel wider: cat 1..3 x 2..4 covers continuous [0,3] x [1,4].
    expect(one.annotations.map((a) => [a.label, a.geometry])).toEqual([
      ["cat", box(0, 1, 3, 3)],
      ["person", box(3, 4, 3, 3)],
    ]);
    // truncated=1 is an attribute now; difficult=0 is VOC's default, held as no value.
    expect(one.annotations.map((a) => a.attributes)).toEqual([{ truncated: true }, undefined]);
    expect(warnings(d)).toEqual([
      'Annotations/2007_000001.xml object 2 (person): not kept: part(s) "head", actions',
    ]);
    // 2007_000002 has no XML: a background image. Segmentation masks are not images of the set.
    expect(image(d, "2007_000002.jpg").annotations).toEqual([]);
    expect(d.value.ignored).toEqual(
      expect.arrayContaining(["SegmentationClass/2007_000001.png", "SegmentationObject/2007_000001.png"]),
    );
  });

  it("labelme bbox_detection_voc: float bndbox, empty flags, height before width, class_names.txt", () => {
    const d = decodeDir("labelme/bbox_detection_voc");
    expect(errors(d)).toEqual([]);
    expect(warnings(d)).toEqual([
      '(labels): class "_background_" is a placeholder with no annotations; not created',
    ]);
    expect(d.value.labels).toHaveLength(20);
    expect(d.value.labels).toContain("potted plant");
    const three = image(d, "2011_000003.jpg");
    expect([three.width, three.height]).toEqual([500, 338]);
    near(three.annotations[0]?.geometry, box(190, 106.36900369003689, 123, 223), 1e-9);
    near(three.annotations[1]?.geometry, box(364, 82, 136, 251));
    const six = image(d, "2011_000006.jpg");
    near(six.annotations[2]?.geometry, box(253.38461538461536, 114.38461538461539, 116, 178), 1e-9);
  });
});

describe.skipIf(!HAVE_FIXTURES)(`format detection of every fixture${SKIPPED}`, () => {
  it.each([
    ["datumaro/coco_instances", "coco"],
    ["datumaro/coco_roboflow", "coco"],
    ["datumaro/roboflow_coco", "coco"],
    ["labelme/instance_segmentation_coco", "coco"],
    ["datumaro/roboflow_yolo", "yolo"],
    ["datumaro/yolo_darknet_strict", "yolo"],
    ["cvat-datumaro/yolo_dataset/yolov8_segmentation", "yolo"],
    ["label-studio-converter/yolo_import_unif_dims", "yolo"],
    ["datumaro/voc_dataset1", "voc"],
    ["labelme/bbox_detection_voc", "voc"],
  ])("%s is %s", (dir, format) => {
    const d = detectFormat(readDatasetDir(path.join(FIXTURES, dir)));
    expect(d.ok && d.format).toBe(format);
  });

  it("CVAT's own XML and labelme's JSON are not mistaken for a supported format", () => {
    expect(detectFormat(readDatasetDir(path.join(FIXTURES, "datumaro/cvat_xml_export_task"))).ok).toBe(false);
    expect(
      detectFormat(readDatasetDir(path.join(FIXTURES, "labelme/instance_segmentation_labelme_json"))).ok,
    ).toBe(false);
  });
});

/** Every fixture again, its texts read on demand as the server reads zip entries. */
describe.skipIf(!HAVE_FIXTURES)(`external datasets read lazily, one file at a time${SKIPPED}`, () => {
  it.each([
    "datumaro/coco_instances",
    "labelme/instance_segmentation_coco",
    "cvat-datumaro/yolo_dataset/yolov8_detection",
    "datumaro/roboflow_yolo",
    "label-studio-converter/yolo_import_unif_dims",
    "datumaro/voc_dataset1",
    "labelme/bbox_detection_voc",
  ])("%s decodes as when every text is held", (rel) => {
    const held = readDatasetDir(path.join(FIXTURES, rel));
    const reads = new Map<string, number>();
    const count = (p: string) => reads.set(p, (reads.get(p) ?? 0) + 1);
    const lazy = {
      texts: new Map<string, string>(),
      lazy: new Map(
        [...held.texts].map(([p, t]) => [
          p,
          {
            text: () => {
              count(p);
              return t;
            },
            *chunks() {
              count(p);
              for (let i = 0; i < t.length; i += 5) yield t.slice(i, i + 5);
            },
          },
        ]),
      ),
      imagePaths: held.imagePaths,
    };
    const d = detectFormat(held);
    if (!d.ok) throw new Error(d.reason);
    expect(detectFormat(lazy)).toEqual(d);
    reads.clear();
    const want = decodeDataset(d.format, held, finderFor(held.sizes));
    expect(decodeDataset(d.format, lazy, finderFor(held.sizes))).toEqual(want);
    // A label file or an XML is read once; a COCO JSON once to see that it is COCO, then once
    // (labelme's: twice, its images come before its categories) to decode.
    for (const [p, n] of reads) expect(n, p).toBeLessThanOrEqual(p.endsWith(".json") ? 3 : 1);
  });
});

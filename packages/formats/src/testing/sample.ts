import type { SampleImage } from "./helpers.js";

/**
 * The golden project: every edge case the issue names that a codec can see. Unicode, spaces,
 * commas and quotes in label and file names; `yes` as a label (YAML 1.1 would read a bool);
 * boxes touching every edge; a sub-pixel box; a polygon; an image without shapes; an EXIF-rotated
 * image (displayed 1200x1800 while stored 1800x1200); three images whose names collide; shapes
 * a format could write with a zero size.
 */
export const SAMPLE_LABELS = ["cat", "hot dog", "日本語 ラベル", 'comma, "quoted"', "yes"];

export const SAMPLE_IMAGES: SampleImage[] = [
  {
    id: 1,
    fileName: "street.jpg",
    width: 640,
    height: 480,
    shapes: [
      { id: "edge-box", labelIndex: 0, geometry: { type: "box", x: 0, y: 0, width: 640, height: 480 } },
      {
        id: "triangle",
        labelIndex: 1,
        geometry: {
          type: "polygon",
          points: [
            [10, 10],
            [100.5, 12.25],
            [50, 90],
          ],
        },
      },
      { id: "tiny", labelIndex: 2, geometry: { type: "box", x: 10.25, y: 20.5, width: 0.4, height: 0.3 } },
    ],
  },
  { id: 2, fileName: "empty.png", format: "png", width: 100, height: 50, shapes: [] },
  {
    id: 3,
    fileName: "rotated.jpg",
    width: 1200,
    height: 1800,
    tags: [4],
    shapes: [{ id: "r1", labelIndex: 4, geometry: { type: "box", x: 100, y: 200, width: 300, height: 400 } }],
  },
  {
    id: 4,
    fileName: "img.jpg",
    width: 20,
    height: 10,
    shapes: [{ id: "d1", labelIndex: 0, geometry: { type: "box", x: 1, y: 1, width: 5, height: 5 } }],
  },
  {
    id: 5,
    fileName: "img.jpg",
    width: 30,
    height: 20,
    tags: [0, 3],
    shapes: [
      {
        id: "rect-from-bottom",
        labelIndex: 3,
        geometry: {
          type: "polygon",
          points: [
            [2, 18],
            [28, 18],
            [28, 2],
            [2, 2],
          ],
        },
      },
    ],
  },
  {
    id: 6,
    fileName: "IMG.png",
    format: "png",
    width: 16,
    height: 16,
    shapes: [{ id: "c1", labelIndex: 1, geometry: { type: "box", x: 15, y: 15, width: 1, height: 1 } }],
  },
  {
    id: 7,
    fileName: "my photo ü.jpeg",
    width: 50,
    height: 40,
    shapes: [
      {
        id: "float-poly",
        labelIndex: 2,
        geometry: {
          type: "polygon",
          points: [
            [0, 0],
            [12.345678901, 0.5],
            [50, 40],
            [0.1, 39.9],
          ],
        },
      },
    ],
  },
  {
    id: 8,
    fileName: "no-extension",
    format: "webp",
    width: 10,
    height: 10,
    shapes: [{ id: "w1", labelIndex: 0, geometry: { type: "box", x: 0, y: 5, width: 10, height: 5 } }],
  },
  {
    // Under 10 px (Ultralytics skips it), a GIF (YOLO writes PNG), a one-pixel box (VOC must not
    // write xmax == xmin) and a polygon a millionth of a pixel across (COCO must not round its
    // bbox or area to 0; YOLO segmentation cannot write it at 6 decimals).
    id: 9,
    fileName: "tiny.gif",
    format: "gif",
    width: 8,
    height: 6,
    shapes: [
      { id: "px", labelIndex: 0, geometry: { type: "box", x: 2, y: 3, width: 1, height: 1 } },
      {
        id: "speck",
        labelIndex: 1,
        geometry: {
          type: "polygon",
          points: [
            [1, 1],
            [1.000001, 1],
            [1, 1.000001],
          ],
        },
      },
    ],
  },
];

export const SAMPLE_SPLIT = { train: 60, val: 20, test: 20 };
export const SAMPLE_SEED = "golden";

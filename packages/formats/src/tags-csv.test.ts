import { describe, expect, it } from "vitest";
import { encodeToFiles } from "./export.js";
import { exportOptions, memorySource, type SampleImage } from "./testing/helpers.js";

describe("classification.csv beside a YOLO export (tags the format has no place for)", () => {
  it("lists every tag in export order, image by image, past the rows it joins at a time", () => {
    // 2,500 tagged images with one to three tags: rows cross several joined pieces.
    const images: SampleImage[] = Array.from({ length: 2500 }, (_, i) => ({
      id: i + 1,
      fileName: `cam_${i % 4}/img_${i}.jpg`,
      width: 100,
      height: 100,
      tags: [0, 1, 2].slice(0, 1 + (i % 3)),
      shapes: [],
    }));
    const labels = ["a", "b,c", "d"];
    const files = encodeToFiles(memorySource(labels, images, undefined, "s", "yolo"), exportOptions("yolo"));
    const want = images.flatMap((im) =>
      (im.tags ?? []).map((t) => {
        const name = labels[t] as string;
        return `images/train/${im.fileName},${name.includes(",") ? `"${name}"` : name}\n`;
      }),
    );
    expect(want.length).toBeGreaterThan(4096);
    expect(files.get("classification.csv")).toBe(`image,label\n${want.join("")}`);
  });
});

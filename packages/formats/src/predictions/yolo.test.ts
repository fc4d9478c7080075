import { describe, expect, it } from "vitest";
import { decodeYoloPredictions } from "./yolo.js";

/** Written by hand after Ultralytics' docs: `yolo predict save_txt=True save_conf=True`. */
describe("YOLO label files with a confidence column", () => {
  it("reads boxes and segments in fractions, the class as an index without names", () => {
    const d = decodeYoloPredictions([
      { path: "labels/street_01.txt", text: "0 0.5 0.5 0.2 0.4 0.91\n2 0.1 0.1 0.3 0.1 0.3 0.4 0.55\n\n" },
      { path: "street_02.txt", text: "1 0.25 0.75 0.5 0.5 0.33" },
    ]);
    expect(d.problems).toEqual([]);
    expect(d.classNames).toBeUndefined();
    expect(d.predictions).toEqual([
      {
        file: "labels/street_01.txt",
        where: "line 1",
        image: { stem: "street_01" },
        modelLabel: "0",
        geometry: { type: "box", x: 0.4, y: 0.3, width: 0.2, height: 0.4 },
        units: "fraction",
        score: 0.91,
      },
      {
        file: "labels/street_01.txt",
        where: "line 2",
        image: { stem: "street_01" },
        modelLabel: "2",
        geometry: {
          type: "polygon",
          points: [
            [0.1, 0.1],
            [0.3, 0.1],
            [0.3, 0.4],
          ],
        },
        units: "fraction",
        score: 0.55,
      },
      {
        file: "street_02.txt",
        where: "line 1",
        image: { stem: "street_02" },
        modelLabel: "1",
        geometry: { type: "box", x: 0, y: 0.5, width: 0.5, height: 0.5 },
        units: "fraction",
        score: 0.33,
      },
    ]);
  });

  it("names classes from data.yaml (list or map) or classes.txt", () => {
    const withYaml = decodeYoloPredictions([
      { path: "data.yaml", text: "names:\n  0: car\n  1: person\n" },
      { path: "labels/a.txt", text: "1 0.5 0.5 0.1 0.1 0.8" },
    ]);
    expect(withYaml.classNames).toEqual(["car", "person"]);
    expect(withYaml.predictions[0]?.modelLabel).toBe("person");
    const withList = decodeYoloPredictions([
      { path: "classes.txt", text: "car\nperson\n" },
      { path: "a.txt", text: "0 0.5 0.5 0.1 0.1 0.8" },
    ]);
    expect(withList.predictions[0]?.modelLabel).toBe("car");
  });

  it("reports each bad line with its file and line", () => {
    const d = decodeYoloPredictions([
      { path: "classes.txt", text: "car\n" },
      {
        path: "labels/a.txt",
        text: [
          "0 0.5 0.5 0.1 0.1",
          "0 0.5 0.5 0.1 0.1 1.2",
          "x 0.5 0.5 0.1 0.1 0.5",
          "0 0.5 0.5 0 0.1 0.5",
          "3 0.5 0.5 0.1 0.1 0.5",
          "0 0.1 0.1 0.5",
          "1.5 0.5 0.5 0.1 0.1 0.5",
          "0 0.1 0.1 0.2 0.2 0.3 0.3",
          "0 0.5",
        ].join("\n"),
      },
    ]);
    expect(d.predictions).toEqual([]);
    expect(d.problems.map((p) => `${p.where}: ${p.message}`)).toEqual([
      "line 1: 5 values and no confidence column: predictions need `class ... conf` (Ultralytics' save_conf=True)",
      "line 2: confidence 1.2 is not from 0 to 1",
      'line 3: "x" is not a number',
      "line 4: box width 0 and height 0.1 must be positive",
      "line 5: class 3 is not in the upload's class names (0-0)",
      'line 6: 4 values: a box is "class cx cy w h conf", a segment "class x1 y1 ... xn yn conf" (3 points or more)',
      "line 7: class 1.5 is not a class index (0, 1, 2, ...)",
      "line 8: 7 values and no confidence column: predictions need `class ... conf` (Ultralytics' save_conf=True)",
      'line 9: 2 values: a box is "class cx cy w h conf", a segment "class x1 y1 ... xn yn conf" (3 points or more)',
    ]);
  });

  it("says so when the upload has no label file", () => {
    expect(decodeYoloPredictions([{ path: "data.yaml", text: "names: [a]" }]).problems[0]?.message).toBe(
      "no YOLO label files (*.txt, one per image) in the upload",
    );
  });
});

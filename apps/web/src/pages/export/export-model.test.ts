import { ExportQuery } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import {
  choiceError,
  curlCommand,
  DEFAULT_CHOICE,
  defaultFileName,
  type ExportChoice,
  exportPath,
  exportQuery,
  fileNameFromDisposition,
  progressFraction,
  selectedCount,
  splitError,
} from "./export-model";

const choice = (over: Partial<ExportChoice>): ExportChoice => ({ ...DEFAULT_CHOICE, ...over });

describe("export query", () => {
  it("leaves defaults out and keeps a fixed order", () => {
    expect(exportQuery(DEFAULT_CHOICE)).toBe("format=coco");
    expect(
      exportQuery(
        choice({
          format: "yolo-seg",
          statuses: ["skipped", "done"],
          split: { train: 80, val: 10, test: 10 },
          seed: "run 7",
          images: "exclude",
          review: "accepted",
        }),
      ),
    ).toBe("format=yolo-seg&status=done,skipped&split=80,10,10&seed=run+7&images=exclude&review=accepted");
  });

  it("is a query the server's own contract accepts, with the same meaning", () => {
    const c = choice({
      format: "voc",
      statuses: ["done"],
      split: { train: 70, val: 20, test: 10 },
      seed: "x",
      review: "done",
    });
    const parsed = ExportQuery.parse(Object.fromEntries(new URLSearchParams(exportQuery(c))));
    expect(parsed).toEqual({
      format: "voc",
      status: ["done"],
      split: { train: 70, val: 20, test: 10 },
      seed: "x",
      images: "include",
      review: "done",
    });
    expect(
      ExportQuery.parse(Object.fromEntries(new URLSearchParams(exportQuery(DEFAULT_CHOICE)))),
    ).toMatchObject({
      status: ["new", "in_progress", "done", "skipped"],
      split: { train: 100, val: 0, test: 0 },
      seed: "labelbench",
    });
  });

  it("names a dataset version, and leaves out the split a version froze", () => {
    const split = { train: 80, val: 20, test: 0 };
    expect(exportQuery(choice({ split, version: { number: 3, split: null, seed: null } }))).toBe(
      "format=coco&version=3&split=80,20,0",
    );
    const frozen = choice({ split, seed: "mine", version: { number: 3, split: "70,30,0", seed: "s" } });
    expect(exportQuery(frozen)).toBe("format=coco&version=3");
    expect(ExportQuery.parse(Object.fromEntries(new URLSearchParams(exportQuery(frozen))))).toMatchObject({
      version: 3,
    });
    // The frozen split is the one used, so a split the form holds cannot block the download.
    expect(choiceError({ ...frozen, split: { train: 50, val: 0, test: 0 } })).toBeNull();
    expect(choiceError({ ...frozen, version: null, split: { train: 50, val: 0, test: 0 } })).not.toBeNull();
    expect(defaultFileName("Cars", "yolo", 3)).toBe("Cars-v3-yolo.zip");
  });

  it("builds a curl command that quotes for the shell", () => {
    const c = choice({ format: "yolo", split: { train: 80, val: 20, test: 0 } });
    expect(exportPath(3, c)).toBe("/api/v1/projects/3/export?format=yolo&split=80,20,0");
    expect(curlCommand("http://lab.local:3000/", 3, c, "Joe's set-yolo.zip")).toBe(
      [
        "curl -fL \\",
        '  -H "Authorization: Bearer $LABELBENCH_TOKEN" \\',
        "  -o 'Joe'\\''s set-yolo.zip' \\",
        "  'http://lab.local:3000/api/v1/projects/3/export?format=yolo&split=80,20,0'",
      ].join("\n"),
    );
  });
});

describe("checks and helpers", () => {
  it("explains a split that does not add up, and an empty status filter", () => {
    expect(splitError({ train: 80, val: 10, test: 10 })).toBeNull();
    expect(splitError({ train: 80, val: 10, test: 5 })).toBe(
      "Train, validation and test add up to 95%, not 100%.",
    );
    expect(splitError({ train: 50.5, val: 49.5, test: 0 })).toBe("Use whole percentages from 0 to 100.");
    expect(choiceError(choice({ statuses: [] }))).toBe("Choose at least one image status.");
  });

  it("reads the download name the server sends, unicode included", () => {
    expect(
      fileNameFromDisposition(
        `attachment; filename="Street_scenes-coco.zip"; filename*=UTF-8''Street%20scenes%20%C3%BC-coco.zip`,
        "x.zip",
      ),
    ).toBe("Street scenes ü-coco.zip");
    expect(fileNameFromDisposition('attachment; filename="a.zip"', "x.zip")).toBe("a.zip");
    expect(fileNameFromDisposition(null, "x.zip")).toBe("x.zip");
    expect(defaultFileName('a/b:"c"', "voc")).toBe("a_b_c_-voc.zip");
  });

  it("counts the selected images and never shows 100% before the end", () => {
    const counts = { new: 2, in_progress: 3, done: 5, skipped: 1, total: 11 };
    expect(selectedCount(counts, ["done", "skipped"])).toBe(6);
    expect(selectedCount(undefined, ["done"])).toBe(0);
    expect(progressFraction(50, 100, false)).toBe(0.5);
    expect(progressFraction(500, 100, false)).toBe(0.99);
    expect(progressFraction(500, 100, true)).toBe(1);
    expect(progressFraction(5, null, false)).toBeNull();
  });
});

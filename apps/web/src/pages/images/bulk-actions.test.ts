import { describe, expect, it } from "vitest";
import { bulkSummary, deleteQuestion } from "./bulk-actions";

describe("bulk action summaries", () => {
  it("counts what changed, what already was so, and names the first failure", () => {
    expect(
      bulkSummary({
        action: "move",
        dryRun: false,
        matched: 4,
        changed: 2,
        results: [
          { imageId: 1, status: "changed" },
          { imageId: 2, status: "changed" },
          { imageId: 3, status: "unchanged" },
          { imageId: 9, status: "missing", reason: "no image 9 in project 1" },
        ],
      }),
    ).toEqual({
      text: "2 images moved · 1 already so · 1 not changed: image 9 (no image 9 in project 1)",
      failed: 1,
    });
    expect(
      bulkSummary({
        action: "toggleTag",
        toggled: "removed",
        dryRun: false,
        matched: 1,
        changed: 1,
        results: [{ imageId: 1, status: "changed" }],
      }).text,
    ).toBe("1 image untagged");
    expect(
      bulkSummary({ action: "delete", dryRun: false, matched: 2, changed: 2, annotations: 3, results: [] })
        .text,
    ).toBe("2 images deleted");
  });

  it("asks to delete naming the images and the annotations", () => {
    expect(deleteQuestion(3, 12)).toBe("Delete 3 images and their 12 annotations?");
    expect(deleteQuestion(1, 1)).toBe("Delete 1 image and its 1 annotation?");
    expect(deleteQuestion(2, 0)).toBe("Delete 2 images? They have no annotations.");
  });
});

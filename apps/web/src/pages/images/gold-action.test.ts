import { describe, expect, it } from "vitest";
import { goldRequest, goldSummary } from "./gold-action";
import { EMPTY_SELECTION } from "./selection";

describe("gold action", () => {
  it("marks the picked images by id, in order, and nothing for 'every matching image'", () => {
    expect(goldRequest({ kind: "ids", ids: new Set([9, 2, 5]), anchor: 1 }, "honeypot")).toEqual({
      imageIds: [2, 5, 9],
      gold: "honeypot",
    });
    expect(goldRequest({ kind: "ids", ids: new Set([4]), anchor: 0 }, null)).toEqual({
      imageIds: [4],
      gold: null,
    });
    expect(goldRequest({ kind: "all", count: 40 }, "qualification")).toBeNull();
    expect(goldRequest(EMPTY_SELECTION, "honeypot")).toBeNull();
  });

  it("says what changed and why the rest did not", () => {
    expect(
      goldSummary(
        {
          results: [
            { imageId: 1, status: "marked" },
            { imageId: 2, status: "marked" },
          ],
          updated: 2,
        },
        "qualification",
      ),
    ).toEqual({ title: "Gold images updated", text: "2 images marked qualification." });
    expect(
      goldSummary(
        {
          results: [
            { imageId: 1, status: "unmarked" },
            { imageId: 7, status: "refused", reason: "ANN is annotating it: unassign it first" },
          ],
          updated: 1,
        },
        null,
      ),
    ).toEqual({
      title: "Some images were not changed",
      text: "1 image no longer gold; 1 image refused (image 7: ANN is annotating it: unassign it first).",
    });
  });
});

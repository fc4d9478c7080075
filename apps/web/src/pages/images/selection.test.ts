import { AssignRequest } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import {
  assignRequest,
  batchRequest,
  EMPTY_SELECTION,
  extend,
  foldersOf,
  isSelected,
  resultSummary,
  type Selection,
  selectedCount,
  toggle,
} from "./selection";

const idAt = (i: number) => (i === 3 ? undefined : 100 + i); // index 3 not loaded
const ids = (s: Selection) => (s.kind === "ids" ? [...s.ids].sort((a, b) => a - b) : "all");

describe("library selection", () => {
  it("toggles one image and remembers it as the anchor", () => {
    const s = toggle(EMPTY_SELECTION, 2, 102);
    expect(ids(s)).toEqual([102]);
    expect(ids(toggle(s, 2, 102))).toEqual([]);
  });

  it("shift-click selects the loaded images between the anchor and the click, either direction", () => {
    const down = extend(toggle(EMPTY_SELECTION, 1, 101), 5, 105, idAt);
    expect(ids(down)).toEqual([101, 102, 104, 105]);
    const up = extend(toggle(EMPTY_SELECTION, 5, 105), 2, 102, idAt);
    expect(ids(up)).toEqual([102, 104, 105]);
  });

  it("shift-click without an anchor is a plain click", () => {
    expect(ids(extend(EMPTY_SELECTION, 4, 104, idAt))).toEqual([104]);
  });

  it("all matching counts the filter's images and holds every one", () => {
    const all: Selection = { kind: "all", count: 40_000 };
    expect(selectedCount(all)).toBe(40_000);
    expect(isSelected(all, 7)).toBe(true);
    expect(toggle(all, 1, 101)).toBe(all);
  });
});

describe("assignment requests", () => {
  const filter = { status: "new" as const, q: "cam" };

  it("names the selected ids in order", () => {
    const s = toggle(toggle(EMPTY_SELECTION, 3, 9), 1, 4);
    const req = assignRequest(s, filter, 7);
    expect(req).toEqual({ assigneeId: 7, imageIds: [4, 9] });
    expect(AssignRequest.safeParse(req).success).toBe(true);
  });

  it("sends all matching as the filter, assigned ones included, capped at the request limit", () => {
    const req = assignRequest({ kind: "all", count: 25_000 }, filter, null);
    expect(req).toEqual({
      assigneeId: null,
      filter: { status: "new", q: "cam", unassignedOnly: false },
      count: 10_000,
    });
    expect(AssignRequest.safeParse(req).success).toBe(true);
  });

  it("builds a batch of unassigned images of one folder", () => {
    const req = batchRequest(5, 3, "/cam_a", { status: undefined, q: "" });
    expect(req).toEqual({ assigneeId: 5, filter: { folder: "cam_a/", unassignedOnly: true }, count: 3 });
    expect(AssignRequest.safeParse(req).success).toBe(true);
    expect(batchRequest(5, 3, "", { status: undefined, q: "" }).filter?.folder).toBeUndefined();
  });

  it("lists every folder level of the file names", () => {
    expect(foldersOf(["cam_a/day1/x.jpg", "cam_b/y.jpg", "z.jpg", "cam_a/w.jpg"])).toEqual([
      "cam_a/",
      "cam_a/day1/",
      "cam_b/",
    ]);
  });

  it("summarises the per-image results, with the first refusal's reason", () => {
    expect(
      resultSummary(
        {
          assigned: 2,
          results: [
            { imageId: 1, status: "assigned" },
            { imageId: 2, status: "assigned" },
            { imageId: 3, status: "refused", reason: "image 3 is accepted" },
          ],
        },
        "Ana",
      ),
    ).toEqual({ text: "2 assigned to Ana · 1 refused: image 3 is accepted", refused: 1 });
    expect(resultSummary({ assigned: 0, results: [{ imageId: 1, status: "unassigned" }] }, null).text).toBe(
      "1 unassigned",
    );
  });
});

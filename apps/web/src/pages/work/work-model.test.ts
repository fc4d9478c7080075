import { describe, expect, it } from "vitest";
import { countOf, parseWorkList, progressOf, startLabel, workQueryState } from "./work-model";

const counts = { assigned: 3, rework: 1, submitted: 4, accepted: 2, rejected: 5 };

describe("my work lists", () => {
  it("reads the list from the URL, unknown values meaning to do", () => {
    expect(parseWorkList("rework")).toBe("rework");
    expect(parseWorkList("accepted")).toBe("accepted");
    expect(parseWorkList("nonsense")).toBe("todo");
    expect(parseWorkList(null)).toBe("todo");
  });

  it("asks the server for rejected images when showing rework", () => {
    expect(workQueryState("rework")).toBe("rejected");
    expect(workQueryState("todo")).toBe("todo");
  });

  it("counts each list from the server's counts, rework among the to-dos", () => {
    expect(countOf(counts, "todo")).toBe(4);
    expect(countOf(counts, "rework")).toBe(1);
    expect(countOf(counts, "submitted")).toBe(4);
  });
});

describe("progressOf", () => {
  it("counts submitted and accepted images as done out of all of the caller's images", () => {
    expect(progressOf(counts)).toEqual({ done: 6, total: 10 });
  });

  it("is zero of zero for someone with no work", () => {
    expect(progressOf({ assigned: 0, rework: 0, submitted: 0, accepted: 0, rejected: 0 })).toEqual({
      done: 0,
      total: 0,
    });
  });
});

describe("startLabel", () => {
  it("puts rework first, then says start or next", () => {
    expect(startLabel(counts, false)).toBe("Start rework");
    expect(startLabel({ ...counts, rework: 0 }, false)).toBe("Start annotating");
    expect(startLabel({ ...counts, rework: 0 }, true)).toBe("Next image");
  });
});

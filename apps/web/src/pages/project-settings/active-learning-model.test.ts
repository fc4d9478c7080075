import { DEFAULT_ACTIVE_LEARNING } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import {
  activeLearningPatchOf,
  activeLearningSentence,
  readActiveLearningForm,
  toActiveLearningForm,
} from "./active-learning-model";

describe("the active-learning form", () => {
  it("reads back what it shows; the newest run is the empty choice", () => {
    const form = toActiveLearningForm({ ...DEFAULT_ACTIVE_LEARNING, runId: 7 });
    expect(form).toEqual({ order: "upload", measure: "least-confidence", runId: "7", diversity: "2" });
    expect(readActiveLearningForm(form)).toEqual({ settings: { ...DEFAULT_ACTIVE_LEARNING, runId: 7 } });
    expect(readActiveLearningForm({ ...form, runId: "" })).toEqual({ settings: DEFAULT_ACTIVE_LEARNING });
  });

  it("refuses a diversity that is empty, fractional or out of range", () => {
    const form = toActiveLearningForm(DEFAULT_ACTIVE_LEARNING);
    for (const diversity of ["", "1.5", "21", "-1", "x"])
      expect(readActiveLearningForm({ ...form, diversity }), diversity).toHaveProperty("error");
  });

  it("sends only what changed", () => {
    expect(
      activeLearningPatchOf(DEFAULT_ACTIVE_LEARNING, { ...DEFAULT_ACTIVE_LEARNING, order: "uncertainty" }),
    ).toEqual({ order: "uncertainty" });
  });

  it("says the setting in words", () => {
    expect(activeLearningSentence(DEFAULT_ACTIVE_LEARNING)).toBe(
      "The queue hands out images in the library's name order.",
    );
    expect(activeLearningSentence({ ...DEFAULT_ACTIVE_LEARNING, order: "uncertainty", diversity: 1 })).toBe(
      "The queue hands out the lowest top score first (least confidence) by the newest model version, never the same top predicted label again within 1 hand-out while other labels have images; images without its predictions come last.",
    );
    expect(
      activeLearningSentence({ order: "uncertainty", measure: "margin", runId: 3, diversity: 0 }),
    ).toContain(
      "the closest call between the top two scores first (margin) by the chosen model version, in pure uncertainty order",
    );
  });
});

import { DEFAULT_REVIEW_SETTINGS } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { patchOf, policySentence, readForm, toForm } from "./review-settings-model";

describe("review settings form", () => {
  it("reads back what it was given", () => {
    expect(readForm(toForm(DEFAULT_REVIEW_SETTINGS))).toEqual({ settings: DEFAULT_REVIEW_SETTINGS });
  });

  it("names each field that does not fit, leaving the others alone", () => {
    const out = readForm({ ...toForm(DEFAULT_REVIEW_SETTINGS), samplePercent: "150", leaseMinutes: "" });
    expect(out).toEqual({
      errors: {
        samplePercent: "A share from 0 to 100 (decimals allowed).",
        leaseMinutes: "Whole minutes from 1 to 1440 (a day).",
      },
    });
  });

  it("refuses a seed that is not a whole number", () => {
    const out = readForm({ ...toForm(DEFAULT_REVIEW_SETTINGS), sampleSeed: "1.5" });
    expect("errors" in out && out.errors.sampleSeed).toBe("A whole number from 0 to 2147483647.");
  });
});

describe("patchOf", () => {
  it("sends only the settings that changed", () => {
    expect(
      patchOf(DEFAULT_REVIEW_SETTINGS, { ...DEFAULT_REVIEW_SETTINGS, mode: "sample", queue: true }),
    ).toEqual({
      mode: "sample",
      queue: true,
    });
    expect(patchOf(DEFAULT_REVIEW_SETTINGS, DEFAULT_REVIEW_SETTINGS)).toEqual({});
  });
});

describe("policySentence", () => {
  it("says what each mode does", () => {
    expect(policySentence({ mode: "off", samplePercent: 10 })).toMatch(/without review/);
    expect(policySentence({ mode: "all", samplePercent: 10 })).toMatch(/Every submitted/);
    expect(policySentence({ mode: "sample", samplePercent: 12.5 })).toMatch(/About 12.5%/);
  });
});

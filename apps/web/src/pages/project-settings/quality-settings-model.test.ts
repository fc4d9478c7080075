import { DEFAULT_QUALITY_SETTINGS } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { qualityPatchOf, qualitySentence, readQualityForm, toQualityForm } from "./quality-settings-model";

describe("quality settings form", () => {
  it("reads back what it was given, shares of one typed as percent", () => {
    const s = { ...DEFAULT_QUALITY_SETTINGS, qualificationPass: 0.85, consensusQuorum: 0.6 };
    expect(toQualityForm(s)).toMatchObject({ qualificationPass: "85", consensusQuorum: "60" });
    expect(readQualityForm(toQualityForm(s))).toEqual({ settings: s });
  });

  it("names each field that does not fit, leaving the others alone", () => {
    const out = readQualityForm({
      ...toQualityForm(DEFAULT_QUALITY_SETTINGS),
      honeypotPercent: "120",
      overlap: "6",
      qualificationPass: "",
      warmupImages: "2.5",
    });
    expect(out).toEqual({
      errors: {
        honeypotPercent: "A share from 0 to 100 (decimals allowed).",
        overlap: "A whole number of annotators from 1 (off) to 5.",
        qualificationPass: "An accuracy from 0 to 100 %.",
        warmupImages: "A whole number of images from 0 to 10000.",
      },
    });
  });

  it("sends only what changed, and says what the settings do", () => {
    const after = { ...DEFAULT_QUALITY_SETTINGS, honeypotPercent: 5, qualificationImages: 3 };
    expect(qualityPatchOf(DEFAULT_QUALITY_SETTINGS, after)).toEqual({
      honeypotPercent: 5,
      qualificationImages: 3,
    });
    expect(qualitySentence(after)).toBe(
      "A new annotator first labels 3 qualification images and starts real work at 80 % accuracy. About 5 % of queue images are honeypots, handed out blind.",
    );
    expect(qualitySentence(DEFAULT_QUALITY_SETTINGS)).toBe(
      "No honeypots and no qualification: annotators start on real work.",
    );
  });
});

import { describe, expect, it } from "vitest";
import { nameKey } from "./paths.js";

/** The general form every key must equal: NFC, then lower case by the en-US rules. */
const general = (s: string) => s.normalize("NFC").toLocaleLowerCase("en-US");

describe("nameKey", () => {
  it("keys ASCII names and names of other scripts as file systems compare them", () => {
    const names = [
      "IMG_0001.JPG",
      "cam_A/Frame 12.png",
      "",
      "Straße.PNG",
      "ÉCOLE.jpg",
      "e\u0301cole.jpg", // decomposed é: the same key as the composed one
      "İstanbul.png",
      "ΣΊΣΥΦΟΣ.png",
      "\u0000tab\there",
    ];
    for (const n of names) expect(nameKey(n)).toBe(general(n));
    expect(nameKey("e\u0301cole.jpg")).toBe(nameKey("ÉCOLE.JPG"));
    expect(nameKey("IMG_0001.JPG")).toBe("img_0001.jpg");
  });
});

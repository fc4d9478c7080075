import { describe, expect, it } from "vitest";
import { compareCodePoints, compareNatural, naturalKeyRange, naturalSortKey } from "./natural-order.js";

const sorted = (names: string[]) => [...names].sort(compareNatural);

describe("natural file-name order", () => {
  it("compares digit runs by value", () => {
    expect(sorted(["img10.jpg", "img2.jpg", "img1.jpg", "img100.jpg", "img20.jpg"])).toEqual([
      "img1.jpg",
      "img2.jpg",
      "img10.jpg",
      "img20.jpg",
      "img100.jpg",
    ]);
    expect(sorted(["v1.10.png", "v1.9.png", "v1.2.png"])).toEqual(["v1.2.png", "v1.9.png", "v1.10.png"]);
  });

  it("orders numbers longer than any integer type", () => {
    const big = "18446744073709551616"; // 2^64
    expect(sorted([`f${big}7.jpg`, `f${big}6.jpg`, "f99.jpg"])).toEqual([
      "f99.jpg",
      `f${big}6.jpg`,
      `f${big}7.jpg`,
    ]);
  });

  it("treats leading zeros as the same value, then breaks the tie by the exact name", () => {
    expect(sorted(["img1.jpg", "img002.jpg", "img01.jpg", "img3.jpg"])).toEqual([
      "img01.jpg",
      "img1.jpg",
      "img002.jpg",
      "img3.jpg",
    ]);
  });

  it("ignores case, keeping upper and lower case names side by side in a fixed order", () => {
    expect(sorted(["b.jpg", "a.jpg", "B.jpg", "A.jpg", "Img10.jpg", "img9.jpg"])).toEqual([
      "A.jpg",
      "a.jpg",
      "B.jpg",
      "b.jpg",
      "img9.jpg",
      "Img10.jpg",
    ]);
  });

  it("sorts accented and composed letters beside their base letter, whatever the normalization", () => {
    const nfd = "e\u0301cole.jpg"; // what macOS hands out
    expect(sorted(["f.jpg", "école.jpg", "ecole2.jpg", "d.jpg"])).toEqual([
      "d.jpg",
      "école.jpg",
      "ecole2.jpg",
      "f.jpg",
    ]);
    expect(naturalSortKey(nfd)).toBe(naturalSortKey("école.jpg"));
    expect(sorted(["ｉｍｇ10.jpg", "img9.jpg"])).toEqual(["img9.jpg", "ｉｍｇ10.jpg"]);
    expect(sorted(["Ünter.jpg", "under.jpg", "uz.jpg"])).toEqual(["under.jpg", "Ünter.jpg", "uz.jpg"]);
  });

  it("keeps a folder's files together and compares folder names as whole words", () => {
    expect(
      sorted([
        "cam_b/0001.jpg",
        "cam/2.jpg",
        "cam_a/0010.jpg",
        "cam-b/1.jpg",
        "cam_a/0002.jpg",
        "cam/10.jpg",
      ]),
    ).toEqual([
      "cam/2.jpg",
      "cam/10.jpg",
      "cam-b/1.jpg",
      "cam_a/0002.jpg",
      "cam_a/0010.jpg",
      "cam_b/0001.jpg",
    ]);
    expect(sorted(["a/b.jpg", "a.jpg", "a b.jpg"])).toEqual(["a/b.jpg", "a b.jpg", "a.jpg"]);
  });

  it("is a total order: different names never share a key", () => {
    const names = ["a.jpg", "A.jpg", "a.JPG", "img01", "img1", "e\u0301", "é"];
    const keys = new Set(names.filter((n) => n !== "e\u0301").map(naturalSortKey));
    expect(keys.size).toBe(names.length - 1);
  });
});

describe("compareCodePoints", () => {
  it("orders by code point as UTF-8 bytes do, not by UTF-16 unit", () => {
    // U+FF41 (fullwidth a) is one unit above the surrogates; U+1F600 is two units starting 0xD83D.
    expect(compareCodePoints("\uff41", "\u{1f600}")).toBeLessThan(0);
    expect("\uff41" < "\u{1f600}").toBe(false); // what plain JS comparison would say
    expect(compareCodePoints("ab", "abc")).toBeLessThan(0);
    expect(compareCodePoints("b", "abc")).toBeGreaterThan(0);
    expect(compareCodePoints("same", "same")).toBe(0);
  });
});

describe("naturalKeyRange", () => {
  const inRange = (folder: string, name: string) => {
    const r = naturalKeyRange(folder);
    if (!r) throw new Error(`no range for ${folder}`);
    const k = naturalSortKey(name);
    return compareCodePoints(k, r.from) >= 0 && compareCodePoints(k, r.to) < 0;
  };

  it("holds the key of every name under the folder, whatever the folder's characters", () => {
    const folders = [
      "a/",
      "cam2/",
      "Cam_A/",
      "ΟΔΟΣ/",
      "École/",
      "e\u0301cole/",
      "📷 cam/",
      "a/sub 10/",
      "①/",
      "ǅ/",
      "İ/",
    ];
    const rests = ["x.jpg", "1.png", "Σ.png", "\u0301.png", "sub/deeper/0001.jpg", "🙂"];
    for (const f of folders) for (const r of rests) expect(inRange(f, f + r), f + r).toBe(true);
  });

  it("leaves out the names of the folders beside it, in natural order before and after", () => {
    expect(inRange("cam/", "cam-b/x.jpg")).toBe(false);
    expect(inRange("cam/", "cam.jpg")).toBe(false);
    expect(inRange("cam/", "cam2/x.jpg")).toBe(false);
    expect(inRange("cam2/", "cam10/x.jpg")).toBe(false);
    expect(inRange("a/", "b/x.jpg")).toBe(false);
  });

  it("has no range for a prefix that is not a folder", () => {
    expect(naturalKeyRange("cam")).toBeNull();
  });
});

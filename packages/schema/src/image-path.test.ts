import { describe, expect, it } from "vitest";
import { checkImagePath, ImagePath } from "./image-path.js";
import { MAX_PATH_BYTES, MAX_PATH_SEGMENT_BYTES } from "./limits.js";

const reason = (raw: string) => {
  const r = checkImagePath(raw);
  if (r.ok) throw new Error(`"${raw}" was accepted`);
  return r.reason;
};

describe("image paths", () => {
  it.each([
    "0001.jpg",
    "cam_a/0001.jpg",
    "shoot/day 1/cam_b/IMG 0001 (copy).JPG",
    "..hidden..jpg",
    "a..b/c.jpg",
    "日本語/写真.png",
    "emoji 🙂.png",
  ])("accepts %j", (p) => {
    expect(checkImagePath(p)).toEqual({ ok: true, path: p });
  });

  it("stores the NFC form of a decomposed name", () => {
    expect(checkImagePath("e\u0301cole.jpg")).toEqual({ ok: true, path: "\u00e9cole.jpg" });
  });

  it.each([
    ["", /empty/],
    ["../etc/passwd", /"\.\." segment/],
    ["a/../../b.jpg", /"\.\." segment/],
    ["./a.jpg", /"\." segment/],
    ["a/./b.jpg", /"\." segment/],
    ["/etc/passwd", /absolute path \(starts with "\/"\)/],
    ["C:/Windows/win.ini", /absolute path \(starts with a drive "C:"\)/],
    ["c:evil.jpg", /drive "c:"/],
    ["dir\\..\\x.jpg", /contains "\\": separate folders with "\/"/],
    ["a//b.jpg", /empty segment/],
    ["folder/", /ends with "\/"/],
    ["a\u0000b.jpg", /control character U\+0000 at position 1/],
    ["a.jpg\r\nX-Injected: 1", /control character U\+000D at position 5/],
    ["tab\there.jpg", /U\+0009/],
    ["del\u007f.jpg", /U\+007F/],
    ["c1\u0085.jpg", /U\+0085/],
    ["lone\ud800.jpg", /lone surrogate/],
  ])("refuses %j", (p, why) => {
    expect(reason(p)).toMatch(why);
  });

  it("bounds each segment and the whole path in UTF-8 bytes", () => {
    const seg = "a".repeat(MAX_PATH_SEGMENT_BYTES);
    expect(checkImagePath(`${seg}/x.jpg`).ok).toBe(true);
    expect(reason(`${seg}a/x.jpg`)).toMatch(/segment 1 \("a{37}…"\) of 256 bytes .*at most 255 per segment/);
    // 86 three-byte characters: 258 bytes in 86 UTF-16 units.
    expect(reason(`${"界".repeat(86)}.jpg`)).toMatch(/the name of 262 bytes/);
    const path = Array.from({ length: 5 }, () => "b".repeat(200)).join("/");
    expect(path.length).toBe(1004);
    expect(checkImagePath(path).ok).toBe(true);
    expect(reason(`${path}/abcdefghijklmnopqrstu`)).toMatch(/longer than 1024 bytes/);
    expect(reason(`${"界".repeat(400)}/a.jpg`)).toMatch(/is 1206 bytes long \(UTF-8\); at most 1024/);
    expect(MAX_PATH_BYTES).toBe(1024);
  });

  it("refuses a 5 MB name after one length check", () => {
    expect(reason("x".repeat(5 * 1024 * 1024))).toMatch(/longer than 1024 bytes/);
  });

  it("is the schema request bodies use: the error names the rule", () => {
    const r = ImagePath.safeParse("../x.jpg");
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/^file name contains a "\.\." segment/);
    expect(ImagePath.parse("cam_a/0001.jpg")).toBe("cam_a/0001.jpg");
  });
});

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { encodeToFiles } from "./export.js";
import { exportOptions, memorySource } from "./testing/helpers.js";
import { SAMPLE_IMAGES, SAMPLE_LABELS, SAMPLE_SEED, SAMPLE_SPLIT } from "./testing/sample.js";
import { FORMATS } from "./types.js";

/**
 * Golden files pin every byte each encoder writes for the sample project. After an intended
 * change, regenerate with `UPDATE_GOLDEN=1 npx vitest run packages/formats/src/golden.test.ts`
 * and review the diff like code.
 */
const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), "__golden__");

const readTree = (dir: string): Map<string, string> => {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.set(p, fs.readFileSync(path.join(dir, p), "utf8"));
    }
  };
  if (fs.existsSync(dir)) walk("");
  return out;
};

describe.each(FORMATS)("golden files: %s", (format) => {
  const files = encodeToFiles(
    memorySource(SAMPLE_LABELS, SAMPLE_IMAGES, SAMPLE_SPLIT, SAMPLE_SEED, format),
    exportOptions(format, { split: SAMPLE_SPLIT, seed: SAMPLE_SEED }),
  );
  const dir = path.join(GOLDEN, format);

  if (process.env.UPDATE_GOLDEN === "1") {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const [p, text] of files) {
      fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
      fs.writeFileSync(path.join(dir, p), text);
    }
  }

  it("writes exactly the golden files, byte for byte", () => {
    const golden = readTree(dir);
    expect([...files.keys()].sort()).toEqual([...golden.keys()].sort());
    for (const [p, text] of files) expect(text, p).toBe(golden.get(p));
  });

  it("is deterministic: a second run gives the same bytes", () => {
    const again = encodeToFiles(
      memorySource(SAMPLE_LABELS, [...SAMPLE_IMAGES].reverse(), SAMPLE_SPLIT, SAMPLE_SEED, format),
      exportOptions(format, { split: SAMPLE_SPLIT, seed: SAMPLE_SEED }),
    );
    expect(again).toEqual(files);
  });
});

import type { Geometry } from "@labelbench/schema";
import YAML from "yaml";
import { basename, extname, stemOf } from "../paths.js";
import type { Problem } from "../types.js";
import type { DecodedPrediction, DecodedPredictions } from "./types.js";

/**
 * YOLO label files with a confidence column, as Ultralytics writes predictions with `save_txt` and
 * `save_conf`: one file per image (`labels/<stem>.txt`), a line per detection, numbers normalised
 * to the image's width and height:
 *   - a box: `class cx cy w h conf`;
 *   - a segment: `class x1 y1 x2 y2 ... xn yn conf` (n ≥ 3).
 * The class is an index into the model's names: those of a `data.yaml` or `classes.txt` in the
 * upload when there is one (the model label is then the name), else the index itself (the server
 * reads it in the project's YOLO export order).
 */

export interface TextFile {
  readonly path: string;
  readonly text: string;
}

const isYaml = (p: string) => [".yaml", ".yml"].includes(extname(p).toLowerCase());
const isNames = (p: string) => ["classes.txt", "obj.names"].includes(basename(p).toLowerCase());

/** The class names the upload carries, by index, or a problem. */
const classNames = (files: readonly TextFile[], problems: Problem[]): string[] | undefined => {
  for (const f of files.filter((f) => isYaml(f.path))) {
    let doc: unknown;
    try {
      doc = YAML.parse(f.text);
    } catch (err) {
      problems.push({
        severity: "error",
        file: f.path,
        message: `not valid YAML: ${(err as Error).message.split("\n")[0]}`,
      });
      continue;
    }
    if (typeof doc !== "object" || doc === null || !("names" in doc)) continue;
    const names = (doc as { names: unknown }).names;
    if (Array.isArray(names)) return names.map(String);
    if (typeof names === "object" && names !== null) {
      const out: string[] = [];
      for (const [k, v] of Object.entries(names)) {
        if (!/^\d+$/.test(k)) {
          problems.push({
            severity: "error",
            file: f.path,
            where: "names",
            message: `key "${k}" is not a class index (0, 1, 2, ...)`,
          });
          return undefined;
        }
        out[Number(k)] = String(v);
      }
      return out;
    }
    problems.push({
      severity: "error",
      file: f.path,
      where: "names",
      message: "must be a list of names or a map of index: name",
    });
    return undefined;
  }
  const list = files.find((f) => isNames(f.path));
  if (list)
    return list.text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "");
  return undefined;
};

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export const decodeYoloPredictions = (files: readonly TextFile[]): DecodedPredictions => {
  const predictions: DecodedPrediction[] = [];
  const problems: Problem[] = [];
  const names = classNames(files, problems);
  const labelFiles = files.filter(
    (f) => extname(f.path).toLowerCase() === ".txt" && !isNames(f.path) && !basename(f.path).startsWith("."),
  );
  if (labelFiles.length === 0)
    problems.push({
      severity: "error",
      file: "(upload)",
      message: "no YOLO label files (*.txt, one per image) in the upload",
    });
  for (const f of labelFiles) {
    const stem = stemOf(f.path);
    const lines = f.text.split(/\r?\n/);
    for (const [n, raw] of lines.entries()) {
      const line = raw.trim();
      if (line === "") continue;
      const where = `line ${n + 1}`;
      const err = (message: string) => problems.push({ severity: "error", file: f.path, where, message });
      const tokens = line.split(/\s+/);
      const bad = tokens.find((t) => !NUMBER.test(t));
      if (bad !== undefined) {
        err(`"${bad}" is not a number`);
        continue;
      }
      const values = tokens.map(Number);
      const [cls] = values as [number];
      if (!Number.isInteger(cls) || cls < 0) {
        err(`class ${tokens[0]} is not a class index (0, 1, 2, ...)`);
        continue;
      }
      // A box has 6 values, a segment an even count of coordinates between the class and the score.
      const count = values.length;
      if (count === 5 || (count >= 7 && count % 2 === 1)) {
        err(
          `${count} values and no confidence column: predictions need \`class ... conf\` (Ultralytics' save_conf=True)`,
        );
        continue;
      }
      if (count !== 6 && (count < 8 || count % 2 !== 0)) {
        err(
          `${count} values: a box is "class cx cy w h conf", a segment "class x1 y1 ... xn yn conf" (3 points or more)`,
        );
        continue;
      }
      const score = values[count - 1] as number;
      if (score < 0 || score > 1) {
        err(`confidence ${tokens[count - 1]} is not from 0 to 1`);
        continue;
      }
      let geometry: Geometry;
      if (count === 6) {
        const [, cx, cy, w, h] = values as [number, number, number, number, number];
        if (w <= 0 || h <= 0) {
          err(`box width ${w} and height ${h} must be positive`);
          continue;
        }
        geometry = { type: "box", x: cx - w / 2, y: cy - h / 2, width: w, height: h };
      } else {
        const points: [number, number][] = [];
        for (let i = 1; i < count - 1; i += 2) points.push([values[i] as number, values[i + 1] as number]);
        geometry = { type: "polygon", points };
      }
      let modelLabel = String(cls);
      if (names) {
        const name = names[cls];
        if (name === undefined) {
          err(`class ${cls} is not in the upload's class names (0-${names.length - 1})`);
          continue;
        }
        modelLabel = name;
      }
      predictions.push({
        file: f.path,
        where,
        image: { stem },
        modelLabel,
        geometry,
        units: "fraction",
        score,
      });
    }
  }
  return { format: "yolo", predictions, problems, ...(names ? { classNames: names } : {}) };
};

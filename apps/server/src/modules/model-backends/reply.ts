import { CONFIG_NAMES, controlsOf } from "./label-config.js";
import { convertLsResultItems } from "./ls-results.js";
import type { ProjectLabel, StoredPrediction } from "./repo.js";

/** An image sent as a task. */
export interface TaskImage {
  id: number;
  width: number;
  height: number;
}

/** Something in the reply that does not become a prediction, and where. */
export interface ReplyProblem {
  imageId: number | null;
  where: string;
  message: string;
}

export interface ReadReply {
  /** Images the reply had a prediction for (possibly with no shapes: the model found nothing). */
  answered: { imageId: number; predictions: StoredPrediction[]; empty: boolean }[];
  /** Images the reply had nothing usable for. */
  unanswered: number[];
  problems: ReplyProblem[];
  modelVersion: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const score01 = (v: unknown): number | null =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1 ? v : null;
const quoted = (v: unknown) => (typeof v === "string" ? `\`${v}\`` : JSON.stringify(v));

/**
 * Reads a `/predict` reply as label-studio-ml answers it: `{results: [{result: [...], score,
 * model_version}, ...], model_version}` (or `predictions` for `results`), one prediction per task
 * in the order the tasks were sent. Each result item must name a control of the labelling config
 * Labelbench sent (`from_name`), the image (`to_name`), a type matching the control and a label of
 * the project; the rest converts through the shared Label Studio converter. Nothing is dropped
 * silently: whatever does not convert is a problem saying where and why.
 */
export const readPredictReply = (
  json: unknown,
  tasks: readonly TaskImage[],
  labels: readonly ProjectLabel[],
): ReadReply => {
  const problems: ReplyProblem[] = [];
  const all = tasks.map((t) => t.id);
  if (!isObject(json)) {
    problems.push({
      imageId: null,
      where: "(reply)",
      message: `the reply is ${Array.isArray(json) ? "a list" : typeof json}, not an object with \`results\``,
    });
    return { answered: [], unanswered: all, problems, modelVersion: null };
  }
  const key = Array.isArray(json.results)
    ? "results"
    : Array.isArray(json.predictions)
      ? "predictions"
      : null;
  const topVersion = typeof json.model_version === "string" ? json.model_version : null;
  if (key === null) {
    problems.push({
      imageId: null,
      where: "results",
      message: `the reply has no \`results\` list (its keys: ${Object.keys(json).join(", ") || "none"})`,
    });
    return { answered: [], unanswered: all, problems, modelVersion: topVersion };
  }
  const list = json[key] as unknown[];
  if (list.length === 0) {
    problems.push({
      imageId: null,
      where: key,
      message: `${key} is empty: the backend returned no prediction for ${tasks.length} task(s)`,
    });
    return { answered: [], unanswered: all, problems, modelVersion: topVersion };
  }
  if (list.length !== tasks.length)
    problems.push({
      imageId: null,
      where: key,
      message: `the backend answered ${list.length} prediction(s) for ${tasks.length} task(s); predictions are matched to tasks by order`,
    });
  const controls = controlsOf(labels);
  const controlNames = [...controls.keys()].join(", ");
  const byName = new Map(labels.map((l) => [l.name.toLowerCase(), l]));
  const answered: ReadReply["answered"] = [];
  const unanswered: number[] = [];
  let modelVersion = topVersion;
  tasks.forEach((task, i) => {
    const p = list[i];
    const at = `${key}[${i}]`;
    if (p === undefined) {
      unanswered.push(task.id);
      return;
    }
    const items = Array.isArray(p) ? p : isObject(p) && Array.isArray(p.result) ? p.result : null;
    if (items === null) {
      problems.push({
        imageId: task.id,
        where: at,
        message: "is not a prediction: it needs a `result` list",
      });
      unanswered.push(task.id);
      return;
    }
    const predScore = isObject(p) ? score01(p.score) : null;
    if (isObject(p) && typeof p.model_version === "string") modelVersion ??= p.model_version;
    // The protocol's own checks first: a result naming a control the config does not have is the
    // commonest reason Label Studio shows nothing.
    const usable: unknown[] = [];
    const usableIndex: number[] = [];
    items.forEach((item, j) => {
      const where = `${at}.result[${j}]`;
      if (!isObject(item)) {
        problems.push({ imageId: task.id, where, message: "is not an object" });
        return;
      }
      const control = typeof item.from_name === "string" ? controls.get(item.from_name) : undefined;
      if (!control) {
        problems.push({
          imageId: task.id,
          where: `${where}.from_name`,
          message: `${quoted(item.from_name)} is not in the labelling config (its controls: ${controlNames || "none"})`,
        });
        return;
      }
      if (item.to_name !== CONFIG_NAMES.image) {
        problems.push({
          imageId: task.id,
          where: `${where}.to_name`,
          message: `${quoted(item.to_name)} is not the config's image (\`${CONFIG_NAMES.image}\`)`,
        });
        return;
      }
      if (item.type !== control.type) {
        problems.push({
          imageId: task.id,
          where: `${where}.type`,
          message: `${quoted(item.type)} does not match the control \`${String(item.from_name)}\`, which is ${control.type}`,
        });
        return;
      }
      usable.push(item);
      usableIndex.push(j);
    });
    const converted = convertLsResultItems(usable, task, predScore ?? undefined);
    for (const pr of converted.problems)
      problems.push({
        imageId: task.id,
        where: `${at}.result[${usableIndex[pr.index] ?? pr.index}]${pr.where}`,
        message: pr.message,
      });
    const predictions: StoredPrediction[] = [];
    for (const d of converted.detections) {
      const label = byName.get(d.modelLabel.toLowerCase());
      const where = `${at}.result[${usableIndex[d.index] ?? d.index}].value`;
      if (!label) {
        problems.push({
          imageId: task.id,
          where,
          message: `label \`${d.modelLabel}\` is not one of the project's labels (${labels.map((l) => l.name).join(", ")})`,
        });
        continue;
      }
      if (d.geometry && !label.shapeTypes.includes(d.geometry.type)) {
        problems.push({
          imageId: task.id,
          where,
          message: `label \`${label.name}\` does not allow ${d.geometry.type} shapes`,
        });
        continue;
      }
      predictions.push({ labelId: label.id, geometry: d.geometry, score: d.score, modelLabel: d.modelLabel });
    }
    answered.push({ imageId: task.id, predictions, empty: items.length === 0 });
  });
  return { answered, unanswered, problems, modelVersion };
};

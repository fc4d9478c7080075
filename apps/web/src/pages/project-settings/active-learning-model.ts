import { type ActiveLearningSettings, ActiveLearningSettings as Schema } from "@labelbench/schema";

/**
 * The active-learning form (issue 17): the diversity window as typed, so a half-typed value is
 * shown, not lost; checked by the shared schema, as the server checks it.
 */
export interface ActiveLearningForm {
  order: ActiveLearningSettings["order"];
  measure: ActiveLearningSettings["measure"];
  /** "" for the newest run, else a run id. */
  runId: string;
  diversity: string;
}

export const toActiveLearningForm = (s: ActiveLearningSettings): ActiveLearningForm => ({
  order: s.order,
  measure: s.measure,
  runId: s.runId === null ? "" : String(s.runId),
  diversity: String(s.diversity),
});

export const readActiveLearningForm = (
  f: ActiveLearningForm,
): { settings: ActiveLearningSettings } | { error: string } => {
  const parsed = Schema.safeParse({
    order: f.order,
    measure: f.measure,
    runId: f.runId === "" ? null : Number(f.runId),
    diversity: f.diversity.trim() === "" ? Number.NaN : Number(f.diversity),
  });
  return parsed.success
    ? { settings: parsed.data }
    : { error: "A whole number of hand-outs from 0 (pure uncertainty) to 20." };
};

/** Only the fields that changed. */
export const activeLearningPatchOf = (
  saved: ActiveLearningSettings,
  next: ActiveLearningSettings,
): Partial<ActiveLearningSettings> =>
  Object.fromEntries(
    (Object.keys(next) as (keyof ActiveLearningSettings)[])
      .filter((k) => next[k] !== saved[k])
      .map((k) => [k, next[k]]),
  );

/** The setting in one sentence, as the toast and the hint say it. */
export const activeLearningSentence = (s: ActiveLearningSettings): string => {
  if (s.order === "upload") return "The queue hands out images in the library's name order.";
  const measure =
    s.measure === "least-confidence"
      ? "the lowest top score first (least confidence)"
      : "the closest call between the top two scores first (margin)";
  const run = s.runId === null ? "the newest model version" : "the chosen model version";
  const diversity =
    s.diversity === 0
      ? "in pure uncertainty order"
      : `never the same top predicted label again within ${s.diversity} hand-out${s.diversity === 1 ? "" : "s"} while other labels have images`;
  return `The queue hands out ${measure} by ${run}, ${diversity}; images without its predictions come last.`;
};

import { type ReviewSettings, type ReviewSettingsPatch, ReviewSettings as Schema } from "@labelbench/schema";

/** The review & queue form: numbers as typed, so a half-typed value is shown, not lost. */
export interface ReviewForm {
  mode: ReviewSettings["mode"];
  samplePercent: string;
  sampleSeed: string;
  queue: boolean;
  leaseMinutes: string;
  returnOnEdit: boolean;
}

export const toForm = (s: ReviewSettings): ReviewForm => ({
  mode: s.mode,
  samplePercent: String(s.samplePercent),
  sampleSeed: String(s.sampleSeed),
  queue: s.queue,
  leaseMinutes: String(s.leaseMinutes),
  returnOnEdit: s.returnOnEdit,
});

export type FormErrors = Partial<Record<keyof ReviewForm, string>>;

const num = (s: string): number => (s.trim() === "" ? Number.NaN : Number(s));

/**
 * The settings the form holds, checked by the shared schema (the server runs the same one), or the
 * message for each field that does not fit.
 */
export const readForm = (f: ReviewForm): { settings: ReviewSettings } | { errors: FormErrors } => {
  const parsed = Schema.safeParse({
    mode: f.mode,
    samplePercent: num(f.samplePercent),
    sampleSeed: num(f.sampleSeed),
    queue: f.queue,
    leaseMinutes: num(f.leaseMinutes),
    returnOnEdit: f.returnOnEdit,
  });
  if (parsed.success) return { settings: parsed.data };
  const errors: FormErrors = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path[0];
    if (typeof key === "string" && key in f && !errors[key as keyof ReviewForm])
      errors[key as keyof ReviewForm] = MESSAGES[key as keyof typeof MESSAGES] ?? issue.message;
  }
  return { errors };
};

const MESSAGES: Partial<Record<keyof ReviewForm, string>> = {
  samplePercent: "A share from 0 to 100 (decimals allowed).",
  sampleSeed: "A whole number from 0 to 2147483647.",
  leaseMinutes: "Whole minutes from 1 to 1440 (a day).",
};

/** Only what changed, so two managers editing different settings do not undo each other. */
export const patchOf = (before: ReviewSettings, after: ReviewSettings): ReviewSettingsPatch => {
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(after) as (keyof ReviewSettings)[])
    if (after[k] !== before[k]) patch[k] = after[k];
  return patch as ReviewSettingsPatch;
};

/** One sentence saying what the policy does, under the form. */
export const policySentence = (s: Pick<ReviewSettings, "mode" | "samplePercent">): string =>
  s.mode === "off"
    ? "Submitted images are done without review; reviewers can still spot-check them."
    : s.mode === "all"
      ? "Every submitted image waits for a reviewer."
      : `About ${s.samplePercent}% of submitted images wait for a reviewer, the same ones on every server; the rest are done.`;

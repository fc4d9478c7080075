import { type QualitySettings, QualitySettings as Schema } from "@labelbench/schema";

/**
 * The quality form (issue 16): numbers as typed, so a half-typed value is shown, not lost. Shares
 * are typed in percent, the qualification's pass mark too (the API takes it as 0..1).
 */
export interface QualityForm {
  honeypotPercent: string;
  warmupImages: string;
  qualificationImages: string;
  qualificationPass: string;
  overlap: string;
  overlapPercent: string;
  consensusQuorum: string;
  auditPercent: string;
  matchPreset: QualitySettings["matchPreset"];
}

/** Shares of one shown as percent without binary noise (0.8 → "80", 0.125 → "12.5"). */
const percentOf = (share: number) => String(Number((share * 100).toFixed(4)));

export const toQualityForm = (s: QualitySettings): QualityForm => ({
  honeypotPercent: String(s.honeypotPercent),
  warmupImages: String(s.warmupImages),
  qualificationImages: String(s.qualificationImages),
  qualificationPass: percentOf(s.qualificationPass),
  overlap: String(s.overlap),
  overlapPercent: String(s.overlapPercent),
  consensusQuorum: percentOf(s.consensusQuorum),
  auditPercent: String(s.auditPercent),
  matchPreset: s.matchPreset,
});

export type QualityErrors = Partial<Record<keyof QualityForm, string>>;

const num = (s: string): number => (s.trim() === "" ? Number.NaN : Number(s));
const share = (s: string): number => num(s) / 100;

const MESSAGES: Partial<Record<keyof QualityForm, string>> = {
  honeypotPercent: "A share from 0 to 100 (decimals allowed).",
  warmupImages: "A whole number of images from 0 to 10000.",
  qualificationImages: "A whole number of images from 0 to 1000 (0: no qualification).",
  qualificationPass: "An accuracy from 0 to 100 %.",
  overlap: "A whole number of annotators from 1 (off) to 5.",
  overlapPercent: "A share from 0 to 100 (decimals allowed).",
  consensusQuorum: "A share of the annotators from 0 to 100 %.",
  auditPercent: "A share from 0 to 100 (decimals allowed).",
};

/** The settings the form holds, checked by the shared schema (the server runs the same one). */
export const readQualityForm = (
  f: QualityForm,
): { settings: QualitySettings } | { errors: QualityErrors } => {
  const parsed = Schema.safeParse({
    honeypotPercent: num(f.honeypotPercent),
    warmupImages: num(f.warmupImages),
    qualificationImages: num(f.qualificationImages),
    qualificationPass: share(f.qualificationPass),
    overlap: num(f.overlap),
    overlapPercent: num(f.overlapPercent),
    consensusQuorum: share(f.consensusQuorum),
    auditPercent: num(f.auditPercent),
    matchPreset: f.matchPreset,
  });
  if (parsed.success) return { settings: parsed.data };
  const errors: QualityErrors = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path[0] as keyof QualityForm | undefined;
    if (key !== undefined && key in f && !errors[key]) errors[key] = MESSAGES[key] ?? issue.message;
  }
  return { errors };
};

/** Only what changed, so two managers editing different settings do not undo each other. */
export const qualityPatchOf = (before: QualitySettings, after: QualitySettings): Partial<QualitySettings> => {
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(after) as (keyof QualitySettings)[])
    if (after[k] !== before[k]) patch[k] = after[k];
  return patch as Partial<QualitySettings>;
};

/** One sentence saying what honeypots and qualification do, under the form. */
export const qualitySentence = (
  s: Pick<QualitySettings, "honeypotPercent" | "warmupImages" | "qualificationImages" | "qualificationPass">,
): string => {
  const parts: string[] = [];
  if (s.qualificationImages > 0)
    parts.push(
      `A new annotator first labels ${s.qualificationImages} qualification image${s.qualificationImages === 1 ? "" : "s"} and starts real work at ${percentOf(s.qualificationPass)} % accuracy.`,
    );
  if (s.warmupImages > 0)
    parts.push(
      `Their first ${s.warmupImages} queue image${s.warmupImages === 1 ? " is a honeypot" : "s are honeypots"}.`,
    );
  if (s.honeypotPercent > 0)
    parts.push(`About ${s.honeypotPercent} % of queue images are honeypots, handed out blind.`);
  return parts.length > 0
    ? parts.join(" ")
    : "No honeypots and no qualification: annotators start on real work.";
};

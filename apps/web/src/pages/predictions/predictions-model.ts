import type { PredictionImportReport, PredictionRun } from "@labelbench/schema";
import { formatCount, plural } from "../../ui/format";
import { type LibraryScope, parseScope, scopeQuery, scopeSearch } from "../images/library-scope";

/** The Predictions page's words and numbers, pure (predictions-model.test.ts). */

export const decidedOf = (r: Pick<PredictionRun, "counts">): number =>
  r.counts.accepted + r.counts.edited + r.counts.rejected;

export const totalOf = (r: Pick<PredictionRun, "counts">): number => r.counts.pending + decidedOf(r);

/** What deleting a run does, in numbers: "Removes 1,234 pending predictions; 56 decided stay." */
export const deleteConsequence = (r: Pick<PredictionRun, "counts">): string => {
  const pending = `Removes ${formatCount(r.counts.pending)} pending ${r.counts.pending === 1 ? "prediction" : "predictions"}`;
  const decided = decidedOf(r);
  if (decided === 0) return `${pending}.`;
  return `${pending}; ${formatCount(decided)} decided stay (they are annotations now, or counted as rejected, for the run's metrics).`;
};

/** Acceptance so far: (accepted + edited) / decided, or null before any decision. */
export const acceptanceRate = (r: Pick<PredictionRun, "counts">): number | null => {
  const d = decidedOf(r);
  return d === 0 ? null : (r.counts.accepted + r.counts.edited) / d;
};

export const SOURCE_LABEL: Record<PredictionRun["source"], string> = {
  "coco-results": "COCO results",
  yolo: "YOLO",
  labelstudio: "Label Studio",
  backend: "Model backend",
};

/** One line under the report: what would be (or was) imported. */
export const reportSummary = (r: PredictionImportReport): string => {
  const d = r.detections;
  const parts = [`${formatCount(d.read)} read`];
  if (d.belowScore > 0) parts.push(`${formatCount(d.belowScore)} below the score floor`);
  if (d.suppressed > 0) parts.push(`${formatCount(d.suppressed)} suppressed by NMS`);
  const verb = r.dryRun ? "would be imported" : "imported";
  return `${parts.join(", ")}; ${plural(d.imported, "prediction")} on ${plural(r.images, "image")} ${verb}.`;
};

export const errorCount = (r: PredictionImportReport): number =>
  r.problems.filter((p) => p.severity === "error").length;

/** Where a problem is, as the report gives it: "results.json [12]" or "labels/a.txt line 4". */
export const problemPlace = (p: PredictionImportReport["problems"][number]): string =>
  p.where ? `${p.file} ${p.where}` : p.file;

/** The library's scope of a run's work: its images with pending predictions, in name order. */
export const runScope = (runId: number): LibraryScope => ({
  ...parseScope(new URLSearchParams()),
  predictionRun: runId,
});

/** Lists the first image of a library scope (the listImages endpoint, given by the page). */
export type FirstImageOf = (query: ReturnType<typeof scopeQuery> & { limit: 1 }) => Promise<{
  items: readonly { id: number }[];
}>;

/**
 * Where a run's "Open in the editor" goes: the first image holding a pending prediction of the run,
 * in library order, with the run's filter in the address so the editor's previous/next (A/D) step
 * only through the run's remaining work. Null when the run has no pending prediction left.
 */
export const runEditorPath = async (
  firstImage: FirstImageOf,
  projectId: number,
  runId: number,
): Promise<string | null> => {
  const scope = runScope(runId);
  const page = await firstImage({ ...scopeQuery(scope), limit: 1 });
  const first = page.items[0];
  return first ? `/projects/${projectId}/images/${first.id}${scopeSearch(scope)}` : null;
};

import type { PredictionImportReport } from "@labelbench/schema";
import { describe, expect, it, test } from "vitest";
import { parseScope } from "../images/library-scope";
import {
  acceptanceRate,
  deleteConsequence,
  errorCount,
  problemPlace,
  reportSummary,
  runEditorPath,
} from "./predictions-model";

const counts = (pending: number, accepted: number, edited: number, rejected: number) => ({
  counts: { pending, accepted, edited, rejected },
});

const report = (over: Partial<PredictionImportReport> = {}): PredictionImportReport => ({
  dryRun: true,
  applied: false,
  format: "coco-results",
  runId: null,
  detections: {
    read: 734,
    belowScore: 100,
    suppressed: 12,
    imported: 622,
    split: { entries: 0, polygons: 0 },
  },
  images: 30,
  perLabel: [],
  problems: [],
  problemsTruncated: false,
  ...over,
});

describe("the Predictions page's numbers", () => {
  test("deleting a run names what goes and what stays", () => {
    expect(deleteConsequence(counts(1234, 40, 6, 10))).toBe(
      "Removes 1,234 pending predictions; 56 decided stay (they are annotations now, or counted as rejected, for the run's metrics).",
    );
    expect(deleteConsequence(counts(1, 0, 0, 0))).toBe("Removes 1 pending prediction.");
  });

  test("acceptance rate counts edited as accepted; none before a decision", () => {
    expect(acceptanceRate(counts(5, 3, 1, 4))).toBeCloseTo(0.5);
    expect(acceptanceRate(counts(5, 0, 0, 0))).toBeNull();
  });

  test("the import report's summary: read, dropped, imported; dry run or done", () => {
    expect(reportSummary(report())).toBe(
      "734 read, 100 below the score floor, 12 suppressed by NMS; 622 predictions on 30 images would be imported.",
    );
    expect(
      reportSummary(
        report({
          dryRun: false,
          detections: {
            read: 1,
            belowScore: 0,
            suppressed: 0,
            imported: 1,
            split: { entries: 0, polygons: 0 },
          },
          images: 1,
        }),
      ),
    ).toBe("1 read; 1 prediction on 1 image imported.");
  });

  test("errors counted apart from warnings; a problem's place", () => {
    const r = report({
      problems: [
        { severity: "error", file: "results.json", where: "[12]", message: "unknown image_id 99" },
        { severity: "warning", file: "results.json", message: "2 entries without a score" },
      ],
    });
    expect(errorCount(r)).toBe(1);
    expect(problemPlace(r.problems[0] as PredictionImportReport["problems"][number])).toBe(
      "results.json [12]",
    );
    expect(problemPlace(r.problems[1] as PredictionImportReport["problems"][number])).toBe("results.json");
  });
});

describe("a run's Open in the editor", () => {
  it("opens the run's first image with pending predictions, its filter in the address for A/D", async () => {
    const asked: unknown[] = [];
    const path = await runEditorPath(
      async (query) => {
        asked.push(query);
        return { items: [{ id: 42 }] };
      },
      7,
      3,
    );
    expect(asked).toEqual([
      {
        status: undefined,
        q: undefined,
        folder: undefined,
        predictionRun: 3,
        sort: "name",
        order: "asc",
        limit: 1,
      },
    ]);
    expect(path).toBe("/projects/7/images/42?predictionRun=3");
    // The editor reads the same filter back from that address, so its neighbours follow the run.
    expect(parseScope(new URLSearchParams("predictionRun=3")).predictionRun).toBe(3);
  });

  it("has nowhere to go when the run has no pending prediction left", async () => {
    expect(await runEditorPath(async () => ({ items: [] }), 7, 3)).toBeNull();
  });
});

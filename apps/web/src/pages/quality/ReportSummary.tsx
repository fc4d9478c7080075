import type { QualityCounts, QualityScores } from "@labelbench/schema";
import { Link } from "react-router";
import { formatCount } from "../../ui/format";
import { EstimateView } from "./EstimateView";
import { OutcomeDot } from "./OutcomeDot";
import { type ImagesFilter, imagesHref } from "./quality-scope";

/** The six headline numbers of a report (or of one annotator), each with its interval and n. */
export function ScoreKpis({ scores }: { scores: QualityScores }) {
  const tiles = [
    { label: "Accuracy", e: scores.accuracy, unit: "shapes", hint: "TP / (TP + FP + FN + M)" },
    { label: "Precision", e: scores.precision, unit: "drawn shapes", hint: "TP / (TP + FP + M)" },
    { label: "Recall", e: scores.recall, unit: "reference shapes", hint: "TP / (TP + FN + M)" },
    { label: "F1", e: scores.f1, unit: "shapes", hint: "2TP / (2TP + FP + FN + 2M)" },
    { label: "Mean IoU", e: scores.meanIou, unit: "matches", hint: "mean IoU of matched shapes", iou: true },
    { label: "Tags", e: scores.tagAccuracy, unit: "tags", hint: "tag TP / (TP + FP + FN)" },
  ];
  return (
    <section className="quality-kpis" aria-label="Scores">
      {tiles.map((t) => (
        <div
          key={t.label}
          className="quality-kpi"
          data-testid={`kpi-${t.label.toLowerCase().replace(" ", "-")}`}
        >
          <span className="quality-kpi__label" title={t.hint}>
            {t.label}
          </span>
          <EstimateView estimate={t.e} kind={t.iou ? "iou" : "rate"} unit={t.unit} size="large" />
        </div>
      ))}
    </section>
  );
}

/**
 * The counts behind the scores, each opening the images it was counted on (matched, missing,
 * extra, wrong label, low overlap), in the colours the comparison view draws them in.
 */
export function OutcomeCounts({
  projectId,
  counts,
  filter,
}: {
  projectId: number;
  counts: QualityCounts;
  filter: ImagesFilter;
}) {
  const items = [
    { key: "tp", n: counts.tp, label: "matched", outcome: "matched" },
    { key: "fn", n: counts.fn, label: "missing", outcome: "missing" },
    { key: "fp", n: counts.fp, label: "extra", outcome: "extra" },
    { key: "mismatched", n: counts.mismatched, label: "wrong label", outcome: "mismatched" },
    { key: "lowOverlap", n: counts.lowOverlap, label: "low overlap", outcome: "lowOverlap" },
  ] as const;
  return (
    <ul className="quality-counts" aria-label="Counts">
      <li>
        <Link to={imagesHref(projectId, filter)} className="count-link" data-testid="count-comparisons">
          {formatCount(counts.comparisons)}
        </Link>
        <span>{counts.comparisons === 1 ? "image compared" : "images compared"}</span>
      </li>
      {items.map((i) => (
        <li key={i.key}>
          <OutcomeDot outcome={i.outcome} />
          {i.n > 0 ? (
            <Link
              to={imagesHref(projectId, { ...filter, outcome: i.key })}
              className="count-link"
              data-testid={`count-${i.key}`}
            >
              {formatCount(i.n)}
            </Link>
          ) : (
            <span className="muted" data-testid={`count-${i.key}`}>
              0
            </span>
          )}
          <span>{i.label}</span>
        </li>
      ))}
    </ul>
  );
}

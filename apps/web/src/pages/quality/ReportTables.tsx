import type {
  AnnotatorQualityRow,
  ConfusionCell,
  LabelQualityRow,
  QualityCounts,
  QualityScores,
  ReviewerPrecisionRow,
  WeekQualityRow,
} from "@labelbench/schema";
import { type ReactNode, useState } from "react";
import { Link } from "react-router";
import { Icon } from "../../ui/icons";
import { labelErrors } from "./confusion-model";
import { CountLink, EstimateView } from "./EstimateView";
import { type ImagesFilter, imagesHref } from "./quality-scope";
import { formatThroughput, formatWeek, type SortValue, sortRows, type TableSort } from "./report-model";

interface Column<R, K extends string> {
  key: K;
  title: string;
  hint?: string;
  num?: boolean;
  /** What the column sorts by; a column without it does not sort. */
  sort?: (row: R) => SortValue;
  cell: (row: R) => ReactNode;
}

/** A sortable table of report rows: click a header to sort, again to reverse. */
function SortableTable<R, K extends string>({
  label,
  columns,
  rows,
  initial,
  nameOf,
  keyOf,
  testId,
}: {
  label: string;
  columns: Column<R, K>[];
  rows: readonly R[];
  initial: TableSort<K>;
  nameOf: (r: R) => string;
  keyOf: (r: R) => string;
  testId: string;
}) {
  const [sort, setSort] = useState(initial);
  const byKey = new Map(columns.map((c) => [c.key, c]));
  const sorted = sortRows(rows, sort, (r, k) => byKey.get(k)?.sort?.(r) ?? null, nameOf);
  return (
    <div className="table-scroll">
      <table className="data-table quality-table" aria-label={label} data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => {
              const active = sort.column === c.key;
              return (
                <th
                  key={c.key}
                  scope="col"
                  title={c.hint}
                  className={c.num ? "num" : undefined}
                  aria-sort={active ? (sort.descending ? "descending" : "ascending") : undefined}
                >
                  {c.sort ? (
                    <button
                      type="button"
                      className="sort-header"
                      onClick={() =>
                        setSort(
                          active
                            ? { column: c.key, descending: !sort.descending }
                            : { column: c.key, descending: c.num === true },
                        )
                      }
                    >
                      {c.title}
                      {active && <Icon name={sort.descending ? "sortDesc" : "sortAsc"} size={14} />}
                    </button>
                  ) : (
                    c.title
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={keyOf(r)} data-row={keyOf(r)}>
              {columns.map((c) => (
                <td key={c.key} className={c.num ? "num" : undefined}>
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Missing, extra and wrong-label counts side by side, each opening its images. */
function ErrorCounts({
  projectId,
  filter,
  fn,
  fp,
  mismatched,
}: {
  projectId: number;
  filter: ImagesFilter;
  fn: number;
  fp: number;
  mismatched: number;
}) {
  return (
    <span className="errors-cell">
      <span className="errors-cell__item" title="Missing: reference shapes not drawn">
        <CountLink count={fn} to={imagesHref(projectId, { ...filter, outcome: "fn" })} label="Missing" />
        missing
      </span>
      <span className="errors-cell__item" title="Extra: drawn shapes not in the reference">
        <CountLink count={fp} to={imagesHref(projectId, { ...filter, outcome: "fp" })} label="Extra" />
        extra
      </span>
      <span className="errors-cell__item" title="Wrong label: the object found, with another label">
        <CountLink
          count={mismatched}
          to={imagesHref(projectId, { ...filter, outcome: "mismatched" })}
          label="Wrong label"
        />
        wrong label
      </span>
    </span>
  );
}

/** "cat → dog 3", "cat not drawn 2": an annotator's most frequent errors, each opening its images. */
export function ConfusionList({
  projectId,
  filter,
  cells,
  nameOf,
}: {
  projectId: number;
  filter: ImagesFilter;
  cells: readonly ConfusionCell[];
  nameOf: (labelId: number) => string;
}) {
  if (cells.length === 0) return <span className="muted">none</span>;
  return (
    <span className="confusions">
      {cells.map((c) => (
        <Link
          key={`${c.reference}:${c.checked}`}
          to={imagesHref(projectId, {
            ...filter,
            reference: c.reference ?? "none",
            checked: c.checked ?? "none",
          })}
        >
          {confusionText(c, nameOf)} <strong>{c.count}</strong>
        </Link>
      ))}
    </span>
  );
}

export const confusionText = (c: ConfusionCell, nameOf: (labelId: number) => string): string =>
  c.reference === null
    ? `extra ${c.checked === null ? "shape" : nameOf(c.checked)}`
    : c.checked === null
      ? `${nameOf(c.reference)} not drawn`
      : `${nameOf(c.reference)} → ${nameOf(c.checked)}`;

type ScoreKey = "images" | "accuracy" | "precision" | "recall" | "f1" | "meanIou" | "errors";

/**
 * The columns every compared-work table shares (annotators, weeks): the images compared, the scores
 * with their intervals, and the error counts, each clicking through to the images behind it.
 */
function scoreColumns<R extends { counts: QualityCounts; scores: QualityScores }>(
  projectId: number,
  filterOf: (row: R) => ImagesFilter,
  { f1 }: { f1: boolean },
): Column<R, ScoreKey>[] {
  const columns: Column<R, ScoreKey>[] = [
    {
      key: "images",
      title: "Images",
      hint: "Images compared with a reference",
      num: true,
      sort: (r) => r.counts.comparisons,
      cell: (r) => (
        <CountLink count={r.counts.comparisons} to={imagesHref(projectId, filterOf(r))} label="Images" />
      ),
    },
    {
      key: "accuracy",
      title: "Accuracy",
      hint: "TP / (TP + FP + FN + M)",
      num: true,
      sort: (r) => r.scores.accuracy,
      cell: (r) => <EstimateView estimate={r.scores.accuracy} unit="shapes" />,
    },
    {
      key: "precision",
      title: "Precision",
      num: true,
      sort: (r) => r.scores.precision,
      cell: (r) => <EstimateView estimate={r.scores.precision} unit="drawn shapes" />,
    },
    {
      key: "recall",
      title: "Recall",
      num: true,
      sort: (r) => r.scores.recall,
      cell: (r) => <EstimateView estimate={r.scores.recall} unit="reference shapes" />,
    },
    {
      key: "f1",
      title: "F1",
      num: true,
      sort: (r) => r.scores.f1,
      cell: (r) => <EstimateView estimate={r.scores.f1} unit="shapes" />,
    },
    {
      key: "meanIou",
      title: "Mean IoU",
      num: true,
      sort: (r) => r.scores.meanIou,
      cell: (r) => <EstimateView estimate={r.scores.meanIou} kind="iou" unit="matches" />,
    },
    {
      key: "errors",
      title: "Errors",
      cell: (r) => (
        <ErrorCounts
          projectId={projectId}
          filter={filterOf(r)}
          fn={r.counts.fn}
          fp={r.counts.fp}
          mismatched={r.counts.mismatched}
        />
      ),
    },
  ];
  return f1 ? columns : columns.filter((c) => c.key !== "f1");
}

type AnnotatorKey = "name" | ScoreKey | "confusions" | "throughput" | "firstPass" | "rework";

export function AnnotatorTable({
  projectId,
  rows,
  filter,
  nameOfLabel,
  annotatorHref,
}: {
  projectId: number;
  rows: readonly AnnotatorQualityRow[];
  filter: ImagesFilter;
  nameOfLabel: (labelId: number) => string;
  annotatorHref: (userId: number) => string;
}) {
  const mine = (r: AnnotatorQualityRow): ImagesFilter => ({ ...filter, annotatorId: r.userId });
  const columns: Column<AnnotatorQualityRow, AnnotatorKey>[] = [
    {
      key: "name",
      title: "Annotator",
      sort: (r) => r.name,
      cell: (r) => <Link to={annotatorHref(r.userId)}>{r.name}</Link>,
    },
    ...scoreColumns<AnnotatorQualityRow>(projectId, mine, { f1: true }),
    {
      key: "confusions",
      title: "Top confusions",
      cell: (r) => (
        <ConfusionList projectId={projectId} filter={mine(r)} cells={r.topConfusions} nameOf={nameOfLabel} />
      ),
    },
    {
      key: "throughput",
      title: "Speed",
      hint: "Images submitted per hour of focused editor time",
      num: true,
      sort: (r) => r.throughput.imagesPerActiveHour,
      cell: (r) => formatThroughput(r.throughput.imagesPerActiveHour),
    },
    {
      key: "firstPass",
      title: "First-pass yield",
      hint: "First review decisions that accepted",
      num: true,
      sort: (r) => r.firstPassYield,
      cell: (r) => <EstimateView estimate={r.firstPassYield} unit="decisions" />,
    },
    {
      key: "rework",
      title: "Rework",
      hint: "Rejections per review decision",
      num: true,
      sort: (r) => r.rework,
      cell: (r) => <EstimateView estimate={r.rework} unit="decisions" />,
    },
  ];
  return (
    <SortableTable
      label="Quality per annotator"
      testId="table-annotators"
      columns={columns}
      rows={rows}
      initial={{ column: "accuracy", descending: false }}
      nameOf={(r) => r.name}
      keyOf={(r) => String(r.userId)}
    />
  );
}

type LabelKey = "name" | "tp" | "notDrawn" | "extra" | "wrongLabel" | "precision" | "recall" | "accuracy";

export function LabelTable({
  projectId,
  rows,
  filter,
  colourOf,
  confusion,
  confusionHref,
}: {
  projectId: number;
  rows: readonly LabelQualityRow[];
  filter: ImagesFilter;
  colourOf: (labelId: number) => string | null;
  /** The report's confusion cells, which split each label's errors by kind. */
  confusion: readonly ConfusionCell[];
  /** Where the confusion matrix of the same report is (an address or an anchor on the page). */
  confusionHref: string;
}) {
  const errorsOf = (labelId: number) => labelErrors(confusion, labelId);
  const columns: Column<LabelQualityRow, LabelKey>[] = [
    {
      key: "name",
      title: "Label",
      sort: (r) => r.name,
      cell: (r) => (
        <span className="label-chip">
          <span className="label-chip__swatch" style={{ background: colourOf(r.labelId) ?? undefined }} />
          {r.name}
        </span>
      ),
    },
    {
      key: "tp",
      title: "Matched",
      num: true,
      sort: (r) => r.tp,
      cell: (r) => (
        <CountLink
          count={r.tp}
          to={imagesHref(projectId, { ...filter, reference: r.labelId, checked: r.labelId })}
          label="Matched"
        />
      ),
    },
    {
      key: "notDrawn",
      title: "Not drawn",
      hint: "Reference shapes of this label nobody drew",
      num: true,
      sort: (r) => errorsOf(r.labelId).notDrawn,
      cell: (r) => (
        <CountLink
          count={errorsOf(r.labelId).notDrawn}
          to={imagesHref(projectId, { ...filter, reference: r.labelId, checked: "none" })}
          label="Not drawn"
        />
      ),
    },
    {
      key: "extra",
      title: "Extra",
      hint: "Shapes given this label where the reference has nothing",
      num: true,
      sort: (r) => errorsOf(r.labelId).extra,
      cell: (r) => (
        <CountLink
          count={errorsOf(r.labelId).extra}
          to={imagesHref(projectId, { ...filter, reference: "none", checked: r.labelId })}
          label="Extra"
        />
      ),
    },
    {
      key: "wrongLabel",
      title: "Wrong label",
      hint: "Its objects drawn with another label / other objects given this label: each pair is a cell of the confusion matrix",
      num: true,
      sort: (r) => errorsOf(r.labelId).drawnAsOther + errorsOf(r.labelId).otherDrawnAsIt,
      cell: (r) => {
        const e = errorsOf(r.labelId);
        return e.drawnAsOther + e.otherDrawnAsIt === 0 ? (
          <span className="muted">0</span>
        ) : (
          <Link
            to={confusionHref}
            className="count-link"
            title="The confusion matrix: one cell per pair of labels"
            onClick={() => {
              // An anchor on this page: the router changes the address but does not scroll.
              if (confusionHref.startsWith("#")) document.querySelector(confusionHref)?.scrollIntoView();
            }}
          >
            {e.drawnAsOther} / {e.otherDrawnAsIt}
          </Link>
        );
      },
    },
    {
      key: "precision",
      title: "Precision",
      num: true,
      sort: (r) => r.precision,
      cell: (r) => <EstimateView estimate={r.precision} unit="drawn shapes" />,
    },
    {
      key: "recall",
      title: "Recall",
      num: true,
      sort: (r) => r.recall,
      cell: (r) => <EstimateView estimate={r.recall} unit="reference shapes" />,
    },
    {
      key: "accuracy",
      title: "Accuracy",
      hint: "TP / (TP + FP + FN) of this label",
      num: true,
      sort: (r) => r.accuracy,
      cell: (r) => <EstimateView estimate={r.accuracy} unit="shapes" />,
    },
  ];
  return (
    <SortableTable
      label="Quality per label"
      testId="table-labels"
      columns={columns}
      rows={rows}
      initial={{ column: "accuracy", descending: false }}
      nameOf={(r) => r.name}
      keyOf={(r) => String(r.labelId)}
    />
  );
}

type WeekKey = "week" | ScoreKey;

export function WeekTable({
  projectId,
  rows,
  filter,
}: {
  projectId: number;
  rows: readonly WeekQualityRow[];
  filter: ImagesFilter;
}) {
  const of = (r: WeekQualityRow): ImagesFilter => ({ ...filter, week: r.week });
  const columns: Column<WeekQualityRow, WeekKey>[] = [
    { key: "week", title: "Week", sort: (r) => r.week, cell: (r) => formatWeek(r.week) },
    ...scoreColumns<WeekQualityRow>(projectId, of, { f1: false }),
  ];
  return (
    <SortableTable
      label="Quality per week"
      testId="table-weeks"
      columns={columns}
      rows={rows}
      initial={{ column: "week", descending: true }}
      nameOf={(r) => r.week}
      keyOf={(r) => r.week}
    />
  );
}

type ReviewerKey = "name" | "audited" | "upheld" | "precision";

export function ReviewerTable({ rows }: { rows: readonly ReviewerPrecisionRow[] }) {
  const columns: Column<ReviewerPrecisionRow, ReviewerKey>[] = [
    { key: "name", title: "Reviewer", sort: (r) => r.name, cell: (r) => r.name },
    {
      key: "audited",
      title: "Audited accepts",
      hint: "Images they accepted that another reviewer (or the gold reference) checked again",
      num: true,
      sort: (r) => r.audited,
      cell: (r) => r.audited,
    },
    {
      key: "upheld",
      title: "Upheld",
      num: true,
      sort: (r) => r.upheld,
      cell: (r) => r.upheld,
    },
    {
      key: "precision",
      title: "Reviewer precision",
      hint: "Upheld / audited accepts",
      num: true,
      sort: (r) => r.precision,
      cell: (r) => <EstimateView estimate={r.precision} unit="audited accepts" />,
    },
  ];
  return (
    <SortableTable
      label="Reviewer precision"
      testId="table-reviewers"
      columns={columns}
      rows={rows}
      initial={{ column: "precision", descending: false }}
      nameOf={(r) => r.name}
      keyOf={(r) => String(r.userId)}
    />
  );
}

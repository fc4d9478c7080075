import type { AgreementMatrix, ConfusionMatrix } from "@labelbench/schema";
import { Link } from "react-router";
import { formatCount, plural } from "../../ui/format";
import { confusionMatrix, type MatrixCell } from "./confusion-model";
import { EstimateView } from "./EstimateView";
import { type ImagesFilter, imagesHref } from "./quality-scope";

const TINT: Record<MatrixCell["kind"], string> = {
  match: "22, 163, 74",
  mismatch: "139, 92, 246",
  missing: "249, 115, 22",
  extra: "239, 68, 68",
  none: "0, 0, 0",
};

const CELL_WORDS: Record<MatrixCell["kind"], string> = {
  match: "matched",
  mismatch: "drawn with the wrong label",
  missing: "not drawn",
  extra: "drawn, not in the reference",
  none: "",
};

/**
 * Reference labels down, what annotators drew across; the diagonal are matches (green by their
 * share of the row), the rest errors (tinted by count). Every count opens its images.
 */
export function ConfusionMatrixView({
  projectId,
  matrix,
  filter,
}: {
  projectId: number;
  matrix: ConfusionMatrix;
  filter: ImagesFilter;
}) {
  const m = confusionMatrix(matrix.cells, matrix.labels);
  return (
    <div className="table-scroll">
      <table className="matrix" aria-label="Confusion matrix" data-testid="confusion-matrix">
        <thead>
          <tr>
            <th className="matrix__axis">Reference ↓ · drawn as →</th>
            {m.columns.map((c) => (
              <th
                key={String(c.labelId)}
                scope="col"
                className={c.labelId === null ? "matrix__none" : undefined}
              >
                {c.name}
              </th>
            ))}
            <th scope="col" className="matrix__axis">
              All
            </th>
          </tr>
        </thead>
        <tbody>
          {m.rows.map((r, i) => (
            <tr key={String(r.labelId)}>
              <th scope="row" className={r.labelId === null ? "matrix__none" : undefined}>
                {r.name}
              </th>
              {(m.cells[i] ?? []).map((c) => {
                const words = `${c.reference === null ? "no reference" : r.name}: ${formatCount(c.count)} ${CELL_WORDS[c.kind]}`;
                return (
                  <td
                    key={`${c.reference}:${c.checked}`}
                    className={c.count === 0 ? "is-empty" : undefined}
                    style={
                      c.count > 0
                        ? { background: `rgba(${TINT[c.kind]}, ${0.1 + 0.45 * c.tint})` }
                        : undefined
                    }
                    data-cell={`${c.reference ?? "none"}:${c.checked ?? "none"}`}
                  >
                    {c.count > 0 ? (
                      <Link
                        to={imagesHref(projectId, {
                          ...filter,
                          reference: c.reference ?? "none",
                          checked: c.checked ?? "none",
                        })}
                        title={`${words}: show the images`}
                      >
                        {formatCount(c.count)}
                      </Link>
                    ) : c.kind === "none" ? (
                      ""
                    ) : (
                      "·"
                    )}
                  </td>
                );
              })}
              <td className="matrix__total">{formatCount(m.rowTotals[i] ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Annotator × annotator agreement on blind-overlap images: F1 of each pair (symmetric, so the
 * matrix mirrors), tinted by its value, and each annotator's F1 over all their pairs.
 */
export function AgreementMatrixView({
  projectId,
  matrix,
  filter,
}: {
  projectId: number;
  matrix: AgreementMatrix;
  filter: ImagesFilter;
}) {
  const cellOf = (a: number, b: number) =>
    matrix.cells.find((c) => (c.a === a && c.b === b) || (c.a === b && c.b === a));
  const overall = new Map(matrix.perAnnotator.map((p) => [p.userId, p]));
  return (
    <div className="table-scroll">
      <table className="matrix" aria-label="Agreement matrix" data-testid="agreement-matrix">
        <thead>
          <tr>
            <th className="matrix__axis">F1 between</th>
            {matrix.annotators.map((a) => (
              <th key={a.userId} scope="col">
                {a.name}
              </th>
            ))}
            <th scope="col" className="matrix__axis">
              All pairs
            </th>
          </tr>
        </thead>
        <tbody>
          {matrix.annotators.map((row) => {
            const all = overall.get(row.userId);
            return (
              <tr key={row.userId}>
                <th scope="row">{row.name}</th>
                {matrix.annotators.map((col) => {
                  if (col.userId === row.userId) return <td key={col.userId} className="is-empty" />;
                  const c = cellOf(row.userId, col.userId);
                  if (!c || c.images === 0)
                    return (
                      <td key={col.userId} className="is-empty" title="No image labelled by both">
                        ·
                      </td>
                    );
                  return (
                    <td
                      key={col.userId}
                      style={{ background: `rgba(22, 163, 74, ${0.08 + 0.4 * (c.f1.value ?? 0)})` }}
                      data-pair={`${row.userId}:${col.userId}`}
                    >
                      <Link
                        to={imagesHref(projectId, { ...filter, kind: "overlap", annotatorId: row.userId })}
                        title={`${row.name} and ${col.name} on ${formatCount(c.images)} images: show ${row.name}'s`}
                      >
                        <EstimateView estimate={c.f1} unit="shapes" />
                      </Link>
                      <span className="estimate__n">{plural(c.images, "image")}</span>
                    </td>
                  );
                })}
                <td className="matrix__total">
                  {all ? <EstimateView estimate={all.f1} unit="shapes" /> : "–"}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

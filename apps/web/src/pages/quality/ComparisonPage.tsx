import { useMemo, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { call } from "../../api/client";
import { parseId } from "../../app/ProjectLayout";
import { useProject } from "../../project/project-context";
import { useProjectPeople } from "../../review/members";
import { formatCount } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading } from "../../ui/parts";
import { messageOf } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { ComparisonCanvas } from "./ComparisonCanvas";
import {
  comparisonMarks,
  differenceList,
  focusBounds,
  type Mark,
  OUTCOME_ORDER,
  OUTCOME_STYLE,
  outcomeCounts,
} from "./comparison-model";
import { OutcomeDot } from "./OutcomeDot";
import { imagesHref, parseComparisonScope } from "./quality-scope";
import "../../auth/accounts.css";
import "../../review/review.css";
import "./quality.css";

/**
 * One comparison down to its shapes: the image with the reference and the checked work drawn over
 * it, matched / missing / extra / wrong-label / loose shapes in their colours, and the list of
 * differences beside it; picking one brings it into view.
 */
export function ComparisonPage() {
  const { project } = useProject();
  const projectId = project.id;
  const imageId = parseId(useParams().imageId);
  const [params] = useSearchParams();
  const scope = parseComparisonScope(params);
  const people = useProjectPeople(projectId);
  const key = JSON.stringify(scope);
  const comparison = useAsync(
    (signal) =>
      imageId === null || scope === null
        ? Promise.reject(new Error("This address does not say whose work to compare."))
        : call("qualityComparison", { params: { imageId }, query: scope, signal }),
    [imageId, key],
    "Could not load the comparison",
  );
  const image = useAsync(
    (signal) =>
      imageId === null
        ? Promise.reject(new Error("not an image"))
        : call("getImage", { params: { imageId }, signal }),
    [imageId],
    "Could not load the image",
  );
  const labels = useAsync(
    (signal) => call("listLabels", { params: { projectId }, signal }).then((r) => r.items),
    [projectId],
    "Could not load the labels",
  );
  const [focus, setFocus] = useState<string | null>(null);
  const [show, setShow] = useState({ reference: true, checked: true });
  const [withMatches, setWithMatches] = useState(false);
  const c = comparison.data;
  const marks = useMemo(() => (c ? comparisonMarks(c) : []), [c]);
  const labelList = labels.data;
  const nameOf = useMemo(() => {
    const byId = new Map((labelList ?? []).map((l) => [l.id, l.name]));
    return (id: number) => byId.get(id) ?? `label #${id}`;
  }, [labelList]);
  const whose = c ? (people.nameOf(c.checkedUserId) ?? `user #${c.checkedUserId}`) : "";
  const against = !c
    ? ""
    : c.referenceKey === 0
      ? "the reference"
      : (people.nameOf(c.referenceKey) ?? `user #${c.referenceKey}`);
  useTitle(image.data ? `Compare ${image.data.fileName}` : "Compare", project.name);

  const failure = comparison.error ?? image.error;
  if (failure && (!c || !image.data))
    return (
      <main id="main" className="page">
        <ErrorState
          title="Could not load the comparison"
          message={messageOf(failure)}
          onRetry={() => {
            comparison.reload();
            image.reload();
          }}
        />
      </main>
    );
  if (!c || !image.data)
    return (
      <main id="main" className="page">
        <Loading what="the comparison" />
      </main>
    );

  const counts = outcomeCounts(marks);
  const list = differenceList(marks, withMatches);
  const tagDiff = c.tags.missing.length + c.tags.extra.length;
  return (
    <main id="main" className="page">
      <div className="page-header">
        <div>
          <Link
            to={imagesHref(projectId, { kind: c.kind, annotatorId: c.checkedUserId })}
            className="back-link"
          >
            <Icon name="arrowLeft" size={14} /> {whose}'s measured images
          </Link>
          <h1 className="page-title">{image.data.fileName}</h1>
          <p className="page-subtitle">
            {whose}'s work compared with {against}. Matched when IoU ≥ {c.match.matchThreshold}, loose under{" "}
            {c.match.lowOverlapThreshold}. Click a difference to zoom to it.
          </p>
        </div>
        <div className="page-header__actions">
          <Link className="button" to={`/projects/${projectId}/images/${c.imageId}`}>
            <Icon name="pencil" size={16} /> Open the image
          </Link>
        </div>
      </div>
      <div className="compare">
        <ComparisonCanvas
          image={image.data}
          marks={marks}
          focus={focus}
          focusArea={focus ? focusBounds(marks, focus) : null}
          show={show}
          nameOf={nameOf}
          onPick={setFocus}
        />
        <aside className="compare__side">
          <section className="card card--flush" aria-label="Legend">
            <ul className="compare-legend" data-testid="comparison-legend">
              {OUTCOME_ORDER.map((o) => (
                <li key={o} data-outcome={o}>
                  <OutcomeDot outcome={o} />
                  {OUTCOME_STYLE[o].label}
                  <span className="compare-legend__count">{formatCount(counts[o])}</span>
                </li>
              ))}
              {tagDiff > 0 && (
                <li>
                  Tags: {c.tags.missing.map((t) => `missing ${nameOf(t)}`).join(", ")}
                  {c.tags.missing.length > 0 && c.tags.extra.length > 0 && ", "}
                  {c.tags.extra.map((t) => `extra ${nameOf(t)}`).join(", ")}
                </li>
              )}
            </ul>
            <div className="toggle-row">
              <label>
                <input
                  type="checkbox"
                  checked={show.reference}
                  onChange={(e) => setShow({ ...show, reference: e.target.checked })}
                />
                {c.referenceKey === 0 ? "Reference" : against}
              </label>
              <label>
                <input
                  type="checkbox"
                  checked={show.checked}
                  onChange={(e) => setShow({ ...show, checked: e.target.checked })}
                />
                {whose}'s work
              </label>
            </div>
          </section>
          <section className="card card--flush" aria-label="Differences">
            <div className="card-head">
              <h2 className="card-head__title">Differences</h2>
              <label className="card-head__note">
                <input
                  type="checkbox"
                  checked={withMatches}
                  onChange={(e) => setWithMatches(e.target.checked)}
                />{" "}
                and matches
              </label>
            </div>
            {list.length === 0 ? (
              <EmptyState icon="check" title="No difference">
                Every shape matched the reference.
              </EmptyState>
            ) : (
              <ul className="diff-list" data-testid="difference-list">
                {list.map((m) => (
                  <li key={m.key}>
                    <button
                      type="button"
                      className={focus === m.key ? "is-active" : undefined}
                      aria-pressed={focus === m.key}
                      data-outcome={m.outcome}
                      onClick={() => setFocus(focus === m.key ? null : m.key)}
                    >
                      <OutcomeDot outcome={m.outcome} />
                      {entryText(m, marks, nameOf)}
                      <span className="diff-list__where">{where(m)}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </aside>
      </div>
    </main>
  );
}

const entryText = (m: Mark, marks: readonly Mark[], nameOf: (id: number) => string): string => {
  const partner = m.partner ? marks.find((x) => x.key === m.partner) : undefined;
  switch (m.outcome) {
    case "missing":
      return `Missing ${nameOf(m.shape.labelId)}`;
    case "extra":
      return `Extra ${nameOf(m.shape.labelId)}`;
    case "mismatched":
      return `${nameOf(m.shape.labelId)}, should be ${partner ? nameOf(partner.shape.labelId) : "?"}`;
    case "lowOverlap":
      return `Loose ${nameOf(m.shape.labelId)} · IoU ${(m.iou ?? 0).toFixed(2)}`;
    case "matched":
      return `${nameOf(m.shape.labelId)} · IoU ${(m.iou ?? 0).toFixed(2)}`;
  }
};

/** Where the shape is, as "x, y" of its top-left corner in image pixels. */
const where = (m: Mark): string => {
  const g = m.shape.geometry;
  const [x, y] =
    g.type === "box"
      ? [g.x, g.y]
      : g.points.reduce(
          ([mx, my], [px, py]) => [Math.min(mx, px), Math.min(my, py)],
          [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
        );
  return `${Math.round(x)}, ${Math.round(y)}`;
};

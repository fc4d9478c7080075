import { Link, useSearchParams } from "react-router";
import { call, urlOf } from "../../api/client";
import { useCan } from "../../auth/useCan";
import { useProject } from "../../project/project-context";
import { useProjectPeople } from "../../review/members";
import { usePaged } from "../../review/use-paged";
import { formatCount, formatRelative, plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading, Spinner } from "../../ui/parts";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { EstimateView } from "./EstimateView";
import { describeImagesScope } from "./images-model";
import { comparisonHref, imagesCsvUrl, imagesSearch, parseImagesScope } from "./quality-scope";
import "../../auth/accounts.css";
import "../../review/review.css";
import "./quality.css";

const PAGE = 50;

/**
 * The images behind a count: every comparison (image × whose work × reference) the count was made
 * of, worst first or latest first. Each opens the comparison view, which draws the shapes.
 */
export function QualityImagesPage() {
  const { project } = useProject();
  const projectId = project.id;
  const [params] = useSearchParams();
  const scope = parseImagesScope(params);
  const people = useProjectPeople(projectId);
  const seesEveryone = useCan()("review", project);
  const labels = useAsync(
    (signal) => call("listLabels", { params: { projectId }, signal }).then((r) => r.items),
    [projectId],
    "Could not load the labels",
  );
  const labelName = (id: number) => labels.data?.find((l) => l.id === id)?.name ?? null;
  const words = describeImagesScope(scope, people.nameOf, labelName);
  useTitle(words.title, project.name);
  const key = JSON.stringify(scope);
  const list = usePaged(
    (cursor, signal) =>
      call("qualityImages", { params: { projectId }, query: { ...scope, cursor, limit: PAGE }, signal }),
    [projectId, key],
    "Could not load the images",
  );
  const back = new URLSearchParams();
  if (scope.kind !== "gold") back.set("kind", scope.kind);
  if (scope.from) back.set("from", scope.from);
  if (scope.to) back.set("to", scope.to);
  if (scope.annotatorId !== undefined) back.set("annotatorId", String(scope.annotatorId));
  const backQs = back.toString();

  return (
    <main id="main" className="page page--medium">
      <div className="page-header">
        <div>
          <Link to={`/projects/${projectId}/quality${backQs ? `?${backQs}` : ""}`} className="back-link">
            <Icon name="arrowLeft" size={14} /> Quality
          </Link>
          <h1 className="page-title">{words.title}</h1>
          <p className="page-subtitle">{sentence(words.parts.join(" · "))}</p>
          {!seesEveryone && (
            <p className="muted" data-testid="honeypots-hidden">
              Only your qualification images are listed: the other images you were measured on stay unnamed,
              so that they can keep measuring fairly.
            </p>
          )}
        </div>
        <div className="page-header__actions">
          <a className="button" href={imagesCsvUrl(projectId, scope)} download>
            <Icon name="download" size={16} /> CSV
          </a>
        </div>
      </div>

      <div className="toolbar">
        <nav className="filter-tabs" aria-label="Order">
          {(["errors", "recent"] as const).map((o) => (
            <Link
              key={o}
              to={imagesSearch({ ...scope, order: o }) || "?"}
              className={`filter-tab${scope.order === o ? " is-active" : ""}`}
              aria-current={scope.order === o ? "page" : undefined}
            >
              {o === "errors" ? "Most errors first" : "Latest first"}
            </Link>
          ))}
        </nav>
      </div>

      <section className="card card--flush" aria-label="Images">
        {list.items === undefined ? (
          list.error ? (
            <ErrorState title="Could not load the images" message={list.error} onRetry={list.reload} />
          ) : (
            <Loading what="the images" />
          )
        ) : list.items.length === 0 ? (
          <EmptyState icon="image" title="No image matches">
            Nothing was counted here in the measured work. Go back to the dashboard and pick another count.
          </EmptyState>
        ) : (
          <>
            <table className="data-table queue-table quality-table" data-testid="quality-images">
              <thead>
                <tr>
                  <th scope="col">Image</th>
                  <th scope="col">Whose work</th>
                  <th scope="col">Against</th>
                  <th scope="col" className="num" title="What this list counts, on each image">
                    {words.countLabel}
                  </th>
                  <th scope="col" className="num">
                    Accuracy
                  </th>
                  <th scope="col" className="num">
                    Mean IoU
                  </th>
                  <th scope="col">Submitted</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((it) => {
                  // An audit is a verdict on a decision, not a second set of shapes: its story is the
                  // image's history.
                  const href =
                    it.kind === "audit"
                      ? `/projects/${projectId}/images/${it.imageId}/history`
                      : comparisonHref(projectId, it.imageId, {
                          kind: it.kind,
                          userId: it.checkedUserId,
                          referenceKey: it.referenceKey,
                        });
                  return (
                    <tr
                      key={`${it.imageId}:${it.checkedUserId}:${it.referenceKey}`}
                      data-image-id={it.imageId}
                      data-user-id={it.checkedUserId}
                    >
                      <td>
                        <Link className="queue-image" to={href}>
                          <img
                            className="queue-image__thumb"
                            src={urlOf("imageThumbnail", { imageId: it.imageId })}
                            alt=""
                            loading="lazy"
                            decoding="async"
                          />
                          <span className="queue-image__name" title={it.fileName}>
                            {it.fileName}
                          </span>
                        </Link>
                      </td>
                      <td>{it.checkedName}</td>
                      <td className="muted">
                        {it.referenceKey === 0 ? "Reference" : (it.referenceName ?? "–")}
                      </td>
                      <td className="num" data-testid="row-count">
                        {formatCount(it.count)}
                      </td>
                      <td className="num">
                        <EstimateView estimate={it.accuracy} unit="shapes" />
                      </td>
                      <td className="num">{it.meanIou === null ? "–" : it.meanIou.toFixed(2)}</td>
                      <td className="muted" title={it.checkedAt ?? undefined}>
                        {it.checkedAt ? formatRelative(it.checkedAt) : "–"}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <div className="list-foot">
              <span className="muted">
                {plural(list.items.length, "image")} shown
                {list.last && ` · ${formatCount(list.last.total)} in all`}
              </span>
              {list.more && (
                <button type="button" className="button" disabled={list.loading} onClick={list.loadMore}>
                  {list.loading && <Spinner label="Loading" />} Show more
                </button>
              )}
              {list.error && <span className="text-danger">{list.error}</span>}
            </div>
          </>
        )}
      </section>
    </main>
  );
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

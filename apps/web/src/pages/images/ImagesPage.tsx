import {
  type AssignRequest,
  type BulkAction,
  DEFAULT_SORT_ORDER,
  type GoldKind,
  type ImageSort,
  type ImageStatus,
  type Label,
  type StatusCounts,
} from "@labelbench/schema";
import {
  type DragEvent,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";
import { Link, useSearchParams } from "react-router";
import { call } from "../../api/client";
import { useCan } from "../../auth/useCan";
import { useProject } from "../../project/project-context";
import { useProjectPeople } from "../../review/members";
import { formatCount, plural, STATUS_LABEL } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading } from "../../ui/parts";
import { toastError, toastSuccess } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { collectDrop, fromFileList, type Walked } from "../../upload/folder-walk";
import { useUploads } from "../../upload/upload-store";
import { AssignDialog, BatchDialog } from "./AssignDialogs";
import { DeleteDialog, MoveDialog, RenameDialog, reportBulk } from "./BulkDialogs";
import { ClassifyPanel, tagLabels } from "./ClassifyPanel";
import { FolderTree } from "./FolderTree";
import { GOLD_LABEL, goldRequest, goldSummary } from "./gold-action";
import { type GridSelection, ImageGrid } from "./ImageGrid";
import { type FeedSnapshot, ImageFeed } from "./image-feed";
import {
  type LibraryScope,
  parseScope,
  SORT_LABEL,
  scopeQuery,
  scopeSearch,
  withScope,
} from "./library-scope";
import {
  assignRequest,
  bulkRequest,
  EMPTY_SELECTION,
  extend,
  extendTo,
  foldersOf,
  isSelected,
  type Selection,
  selectedCount,
  toggle,
} from "./selection";

const FILTERS: (ImageStatus | null)[] = [null, "new", "in_progress", "done", "skipped"];

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes("Files");

export function ImagesPage() {
  const { project, reloadProject } = useProject();
  // Annotators annotate what managers upload: no upload buttons, no drop target for them.
  const mayUpload = useCan()("manageProject");
  const [params, setParams] = useSearchParams();
  // Unknown values in the URL mean the default rather than an error page.
  const scope = parseScope(params);
  const { status, q, folder, predictionRun, sort, order } = scope;
  // Grid classification (issue 18): dense thumbnails, tag hotkeys.
  const classify = params.get("view") === "classify";
  useTitle(status ? `${STATUS_LABEL[status]} images` : "Images", project.name);

  const session = useUploads((s) => s.session);
  const startUpload = useUploads((s) => s.start);
  const [reloadKey, setReloadKey] = useState(0);
  const [feed, setFeed] = useState<ImageFeed | null>(null);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadKey forces a fresh feed after an upload
  useEffect(() => {
    const f = new ImageFeed(
      async ({ cursor, offset, limit }, signal) =>
        call("listImages", {
          params: { projectId: project.id },
          query: {
            ...scopeQuery({ status, q, folder, predictionRun, sort, order }),
            cursor: cursor ?? undefined,
            offset: offset ?? undefined,
            limit,
          },
          signal,
        }),
      { status, query: q || undefined },
    );
    f.ensure(0);
    setFeed(f);
    return () => f.dispose();
  }, [project.id, status, q, folder, predictionRun, sort, order, reloadKey]);
  // reloadKey refreshes the folder counts after a change.
  const folders = useAsync(
    (signal) => call("imageFolders", { params: { projectId: project.id }, signal }),
    [project.id, reloadKey],
    "Could not load the folders",
  );
  const labelsState = useAsync(
    (signal) => call("listLabels", { params: { projectId: project.id }, signal }).then((r) => r.items),
    [project.id],
    "Could not load the labels",
  );
  const labels = labelsState.data;
  const labelsById = useMemo(() => new Map<number, Label>((labels ?? []).map((l) => [l.id, l])), [labels]);

  // New images arrive when an upload for this project finishes: show them, refresh the counts.
  const finishedAt = session?.projectId === project.id ? session.finishedAt : null;
  useEffect(() => {
    if (finishedAt) {
      setReloadKey((k) => k + 1);
      reloadProject();
    }
  }, [finishedAt, reloadProject]);

  const upload = (picked: Walked<File>) => {
    if (picked.files.length === 0) {
      toastError(
        "Nothing to upload",
        new Error(
          picked.skipped.length > 0
            ? `${plural(picked.skipped.length, "file")} skipped (hidden or unreadable)`
            : "no files found",
        ),
      );
      return;
    }
    try {
      startUpload(project, picked);
    } catch (err) {
      toastError("Upload not started", err);
    }
  };

  const setScope = (next: Partial<LibraryScope>, replace = false) =>
    setParams(withScope(params, { ...scope, ...next }), { replace });
  const dropProps = {
    onDragEnter: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      dragDepth.current += 1;
      setDragging(true);
    },
    onDragOver: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    },
    onDragLeave: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      dragDepth.current = Math.max(0, dragDepth.current - 1);
      if (dragDepth.current === 0) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      dragDepth.current = 0;
      setDragging(false);
      // Entries must be taken inside the event; the folder walk continues after it.
      collectDrop(e.dataTransfer)
        .then(upload)
        .catch((err) => toastError("Could not read the dropped files", err));
    },
  };

  const snap = useFeedSnapshot(feed);
  const counts = snap?.counts ?? null;

  // Distribution (issue 15): managers select images and assign them; a new filter starts afresh.
  const people = useProjectPeople(project.id);
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const [dialog, setDialog] = useState<"assign" | "batch" | "delete" | "move" | "rename" | null>(null);
  const [unassigning, setUnassigning] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the selection belongs to the filter it was made in
  useEffect(() => setSelection(EMPTY_SELECTION), [status, q, folder, predictionRun, sort, order, project.id]);
  const snapRef = useRef(snap);
  snapRef.current = snap;
  const onSelect = useCallback(
    (index: number, id: number, shift: boolean) =>
      setSelection((sel) =>
        shift ? extend(sel, index, id, (i) => snapRef.current?.at(i)?.id) : toggle(sel, index, id),
      ),
    [],
  );
  const onExtendTo = useCallback(
    (from: number, to: number) =>
      setSelection((sel) => extendTo(sel, from, to, (i) => snapRef.current?.at(i)?.id)),
    [],
  );
  // "All matching" only where the length is known: a search's length is known once read to the end.
  const selectAll = useCallback(() => {
    const sn = snapRef.current;
    if (sn && (sn.complete || !q) && sn.length > 0) setSelection({ kind: "all", count: sn.length });
  }, [q]);
  const gridSelection = useMemo<GridSelection | undefined>(
    () =>
      mayUpload
        ? {
            active: selectedCount(selection) > 0,
            isSelected: (id) => isSelected(selection, id),
            onSelect,
            onExtendTo,
            onSelectAll: selectAll,
          }
        : undefined,
    [mayUpload, selection, onSelect, onExtendTo, selectAll],
  );
  const libraryFilter = { status, q, folder, predictionRun };
  const focusRef = useRef(0);
  const onFocusIndex = useCallback((i: number) => {
    focusRef.current = i;
  }, []);
  const sendBulk = (action: BulkAction, dryRun = false) =>
    call("bulkImages", {
      params: { projectId: project.id },
      body: bulkRequest(selection, libraryFilter, action, dryRun),
    });
  const runBulk = async (title: string, action: BulkAction) => {
    try {
      reportBulk(title, await sendBulk(action));
      assigned();
    } catch (err) {
      toastError(`${title}: nothing was changed`, err);
    }
  };
  /**
   * A tag hotkey: toggles the label on the selection (or, with nothing selected, the focused image)
   * and patches the loaded tiles with each image's new tags, so focus and scroll stay put.
   */
  const busyTag = useRef(false);
  const toggleTag = async (label: Label) => {
    if (busyTag.current) return;
    const focused = snapRef.current?.at(focusRef.current);
    const target: Selection =
      selectedCount(selection) > 0
        ? selection
        : focused
          ? { kind: "ids", ids: new Set([focused.id]), anchor: focusRef.current }
          : EMPTY_SELECTION;
    if (selectedCount(target) === 0) return;
    busyTag.current = true;
    try {
      const r = await call("bulkImages", {
        params: { projectId: project.id },
        body: bulkRequest(target, libraryFilter, { kind: "toggleTag", labelId: label.id }),
      });
      const tags = new Map(r.results.flatMap((x) => (x.tags ? [[x.imageId, x.tags] as const] : [])));
      feed?.patch((img) => {
        const t = tags.get(img.id);
        // The server moved a new image that now holds a tag to in progress, as a save does.
        if (!t) return img;
        return { ...img, tags: t, status: img.status === "new" && t.length > 0 ? "in_progress" : img.status };
      });
      // A tagged image left "new": the status tabs' counts follow without reloading the grid.
      if (r.changed > 0)
        void call("listImages", {
          params: { projectId: project.id },
          query: { ...scopeQuery({ status, q, folder, predictionRun, sort, order }), limit: 1 },
        }).then(
          (page) => feed?.setCounts(page.counts),
          () => undefined,
        );
      const failed = r.results.filter((x) => x.status === "refused" || x.status === "missing");
      if (failed.length > 0) reportBulk(label.name, r);
      else
        toastSuccess(
          `${label.name} ${r.toggled === "removed" ? "removed" : "added"}`,
          plural(r.changed, "image"),
        );
    } catch (err) {
      toastError(`Could not tag with ${label.name}`, err);
    } finally {
      busyTag.current = false;
    }
  };
  const toggleTagRef = useRef(toggleTag);
  toggleTagRef.current = toggleTag;
  const tagging = useMemo(() => tagLabels(labels ?? []), [labels]);
  useEffect(() => {
    if (!classify || dialog !== null || !mayUpload) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (
        t &&
        (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)
      )
        return;
      const label = tagging.find((l) => l.hotkey !== null && l.hotkey.toLowerCase() === e.key.toLowerCase());
      if (!label) return;
      e.preventDefault();
      void toggleTagRef.current(label);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [classify, dialog, mayUpload, tagging]);
  const assigned = () => {
    setDialog(null);
    setSelection(EMPTY_SELECTION);
    setReloadKey((k) => k + 1);
  };
  const send = (body: AssignRequest) => call("assignImages", { params: { projectId: project.id }, body });
  const unassign = async () => {
    setUnassigning(true);
    try {
      const r = await send(assignRequest(selection, libraryFilter, null));
      toastSuccess("Unassigned", plural(r.results.filter((x) => x.status === "unassigned").length, "image"));
      assigned();
    } catch (err) {
      toastError("Could not unassign the images", err);
    } finally {
      setUnassigning(false);
    }
  };
  // Gold images (issue 16): the selection becomes (or stops being) reference images.
  const markGold = async (gold: GoldKind | null) => {
    const body = goldRequest(selection, gold);
    if (!body) return;
    try {
      const r = await call("markGold", { params: { projectId: project.id }, body });
      const said = goldSummary(r, gold);
      toastSuccess(said.title, said.text);
      assigned();
    } catch (err) {
      toastError("Could not mark the images", err);
    }
  };
  const selected = selectedCount(selection);
  useEffect(() => {
    if (selected === 0 || dialog !== null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setSelection(EMPTY_SELECTION);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [selected, dialog]);
  const onlyId = selection.kind === "ids" && selection.ids.size === 1 ? [...selection.ids][0] : undefined;
  const onlyImage = onlyId !== undefined ? findLoaded(snap, onlyId, selection) : undefined;
  const folderNames = (folders.data?.folders ?? []).map((f) => f.path);
  const setView = (next: "classify" | null) => {
    const p = new URLSearchParams(params);
    if (next) p.set("view", next);
    else p.delete("view");
    setParams(p);
  };
  const projectEmpty = counts !== null && counts.total === 0;
  // The editor walks previous/next in this order and filter: its links carry them.
  const linkSearch = scopeSearch(scope);

  return (
    <main id="main" className="page page--fill" {...(mayUpload ? dropProps : {})}>
      <div className="page-header">
        <div>
          <h1 className="page-title">Images</h1>
          <p className="page-subtitle">
            {counts
              ? `${plural(counts.total, "image")} ${
                  predictionRun !== undefined
                    ? "with pending predictions of the run"
                    : folder
                      ? `in ${folder}`
                      : "in this project"
                }`
              : "The project's images."}
          </p>
        </div>
        {counts !== null && !projectEmpty && mayUpload && (
          <div className="page-header__actions">
            <button
              type="button"
              className={`button${classify ? " button--primary" : ""}`}
              aria-pressed={classify}
              onClick={() => setView(classify ? null : "classify")}
            >
              <Icon name="tag" size={16} /> {classify ? "Classifying" : "Classify"}
            </button>
            <button type="button" className="button" onClick={() => setDialog("batch")}>
              <Icon name="users" size={16} /> Assign a batch
            </button>
            <UploadButtons onPicked={upload} busy={session?.progress.state === "running"} />
          </div>
        )}
      </div>

      {!projectEmpty && (
        <div className="toolbar">
          <nav className="filter-tabs" aria-label="Filter by status">
            {FILTERS.map((s) => (
              <FilterTab
                key={s ?? "all"}
                status={s}
                active={(status ?? null) === s}
                counts={counts}
                params={params}
              />
            ))}
          </nav>
          <div className="toolbar__end">
            {predictionRun !== undefined && (
              <RunFilter runId={predictionRun} onClear={() => setScope({ predictionRun: undefined })} />
            )}
            <SortControl sort={sort} order={order} onChange={(next) => setScope(next)} />
            <SearchBox value={q} onChange={(v) => setScope({ q: v }, true)} />
          </div>
        </div>
      )}

      <div className="library-body">
        {!projectEmpty && folders.data && (folders.data.folders.length > 0 || folder !== "") && (
          <FolderTree list={folders.data} current={folder} onPick={(f) => setScope({ folder: f })} />
        )}
        <div className="library">
          {snap === null || (snap.counts === null && snap.error === null) ? (
            <Loading what="images" />
          ) : snap.counts === null && snap.error ? (
            <ErrorState title="Could not load images" message={snap.error} onRetry={() => feed?.retry()} />
          ) : projectEmpty && !mayUpload ? (
            <EmptyState icon="image" title="No images yet">
              A manager uploads the images of this project; they appear here as soon as they do.
            </EmptyState>
          ) : projectEmpty ? (
            <div className="dropzone-empty">
              <EmptyState
                icon="upload"
                title="Drop images or folders here"
                action={
                  <UploadButtons onPicked={upload} busy={session?.progress.state === "running"} large />
                }
              >
                Drag files or whole folders from your file manager onto this page, or pick them. JPEG, PNG,
                WebP, TIFF, BMP and GIF are accepted; files are checked by content, not by name.
              </EmptyState>
            </div>
          ) : snap.length === 0 && snap.complete ? (
            <EmptyState
              icon="search"
              title={
                q
                  ? `No image names contain "${q}"`
                  : `No ${status ? STATUS_LABEL[status].toLowerCase() : ""} images`
              }
              action={
                <Link className="button" to={`/projects/${project.id}/images`}>
                  Show all images
                </Link>
              }
            >
              {q
                ? "Check the spelling, or search for a shorter part of the name."
                : "Images move here as annotators change their status."}
            </EmptyState>
          ) : (
            <>
              {selected > 0 && (
                <section className="selection-bar" aria-label="Selection">
                  <span data-testid="selection-count">
                    {selection.kind === "all"
                      ? `All ${plural(selected, "matching image")}`
                      : plural(selected, "image")}{" "}
                    selected
                  </span>
                  {/* A search's length is known only once read to the end: "all" must mean all. */}
                  {selection.kind === "ids" && snap.length > selected && (snap.complete || !q) && (
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => setSelection({ kind: "all", count: snap.length })}
                    >
                      Select all {plural(snap.length, "matching image")}
                    </button>
                  )}
                  <span className="selection-bar__spacer" />
                  {onlyId !== undefined && (
                    <Link
                      className="button button--small"
                      to={`/projects/${project.id}/images/${onlyId}/history`}
                    >
                      History
                    </Link>
                  )}
                  <button
                    type="button"
                    className="button button--small button--primary"
                    onClick={() => setDialog("assign")}
                  >
                    Assign to…
                  </button>
                  <button
                    type="button"
                    className="button button--small"
                    disabled={unassigning}
                    onClick={() => void unassign()}
                  >
                    Unassign
                  </button>
                  <GoldSelect
                    disabled={goldRequest(selection, null) === null}
                    onPick={(gold) => void markGold(gold)}
                  />
                  <select
                    className="input select select--small"
                    aria-label="Set status"
                    value=""
                    onChange={(e) => {
                      const v = e.target.value as ImageStatus | "";
                      if (v) void runBulk("Status set", { kind: "setStatus", status: v });
                    }}
                  >
                    <option value="">Status…</option>
                    {FILTERS.flatMap((st) =>
                      st
                        ? [
                            <option key={st} value={st}>
                              {STATUS_LABEL[st]}
                            </option>,
                          ]
                        : [],
                    )}
                  </select>
                  <select
                    className="input select select--small"
                    aria-label="Tags"
                    value=""
                    onChange={(e) => {
                      const [op, id] = e.target.value.split(":");
                      const labelId = Number(id);
                      if (op === "add") void runBulk("Tagged", { kind: "addTags", labelIds: [labelId] });
                      else if (op === "remove")
                        void runBulk("Untagged", { kind: "removeTags", labelIds: [labelId] });
                    }}
                  >
                    <option value="">Tags…</option>
                    <optgroup label="Add tag">
                      {tagging.map((l) => (
                        <option key={l.id} value={`add:${l.id}`}>
                          + {l.name}
                        </option>
                      ))}
                    </optgroup>
                    <optgroup label="Remove tag">
                      {tagging.map((l) => (
                        <option key={l.id} value={`remove:${l.id}`}>
                          − {l.name}
                        </option>
                      ))}
                    </optgroup>
                  </select>
                  <button type="button" className="button button--small" onClick={() => setDialog("move")}>
                    <Icon name="folder" size={14} /> Move to…
                  </button>
                  {onlyImage && (
                    <button
                      type="button"
                      className="button button--small"
                      onClick={() => setDialog("rename")}
                    >
                      <Icon name="pencil" size={14} /> Rename
                    </button>
                  )}
                  <button
                    type="button"
                    className="button button--small button--danger"
                    onClick={() => setDialog("delete")}
                  >
                    <Icon name="trash" size={14} /> Delete…
                  </button>
                  <button
                    type="button"
                    className="button button--small"
                    onClick={() => setSelection(EMPTY_SELECTION)}
                  >
                    Clear
                  </button>
                </section>
              )}
              <p className="library__summary" aria-live="polite">
                {summaryText(snap.length, snap.complete, counts, status, q)}
                {snap.error && (
                  <>
                    {" · "}
                    <span className="text-danger">{snap.error}</span>{" "}
                    <button type="button" className="link-button" onClick={() => feed?.retry()}>
                      Retry
                    </button>
                  </>
                )}
              </p>
              {feed && (
                <ImageGrid
                  feed={feed}
                  snap={snap}
                  label="Images"
                  hrefOf={(img) => `/projects/${project.id}/images/${img.id}${linkSearch}`}
                  selection={gridSelection}
                  nameOf={people.nameOf}
                  showGold={mayUpload}
                  dense={classify}
                  labels={labelsById}
                  onFocusIndex={onFocusIndex}
                />
              )}
            </>
          )}
        </div>
        {classify && mayUpload && (
          <ClassifyPanel labels={tagging} selected={selected} onToggle={(l) => void toggleTag(l)} />
        )}
      </div>

      {dialog === "assign" && (
        <AssignDialog
          count={selected}
          members={people.members}
          request={(assigneeId) => assignRequest(selection, libraryFilter, assigneeId)}
          send={send}
          onDone={assigned}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === "delete" && (
        <DeleteDialog send={sendBulk} onDone={assigned} onClose={() => setDialog(null)} />
      )}
      {dialog === "move" && (
        <MoveDialog
          count={selected}
          folders={folderNames}
          initial={folder}
          send={sendBulk}
          onDone={() => {
            assigned();
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === "rename" && onlyImage && (
        <RenameDialog
          image={onlyImage}
          rename={(fileName) =>
            call("updateImage", { params: { imageId: onlyImage.id }, body: { fileName } })
          }
          onDone={assigned}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === "batch" && (
        <BatchDialog
          members={people.members}
          folders={foldersOf(loadedNames(snap))}
          filter={libraryFilter}
          send={send}
          onDone={assigned}
          onClose={() => setDialog(null)}
        />
      )}

      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div className="drop-overlay__card">
            <Icon name="upload" size={36} />
            <strong>Drop to upload to {project.name}</strong>
            <span>Files and whole folders</span>
          </div>
        </div>
      )}
    </main>
  );
}

/** A loaded image by id (the rename dialog needs its current name). */
const findLoaded = (snap: FeedSnapshot | null, id: number, s: Selection) => {
  if (!snap) return undefined;
  // The anchor is the index last clicked: almost always the one selected image.
  const atAnchor = s.kind === "ids" && s.anchor !== null ? snap.at(s.anchor) : undefined;
  if (atAnchor?.id === id) return atAnchor;
  for (let i = 0; i < Math.min(snap.length, 10_000); i++) {
    const img = snap.at(i);
    if (img?.id === id) return img;
  }
  return undefined;
};

/** The file names the grid has loaded (the batch dialog suggests their folders). */
function* loadedNames(snap: FeedSnapshot | null): Generator<string> {
  if (!snap) return;
  for (let i = 0; i < Math.min(snap.length, 5000); i++) {
    const img = snap.at(i);
    if (img) yield img.fileName;
  }
}

const useFeedSnapshot = (feed: ImageFeed | null) => {
  const subscribe = useCallback((cb: () => void) => (feed ? feed.subscribe(cb) : () => undefined), [feed]);
  const get = useCallback(() => (feed ? feed.getSnapshot() : null), [feed]);
  return useSyncExternalStore(subscribe, get);
};

const summaryText = (
  length: number,
  complete: boolean,
  counts: StatusCounts | null,
  status: ImageStatus | undefined,
  q: string,
) => {
  const what = status ? `${STATUS_LABEL[status].toLowerCase()} ` : "";
  if (q)
    return complete
      ? `${plural(length, `${what}image`)} matching "${q}"`
      : `Searching ${what}images for "${q}"…`;
  const n = status ? (counts?.[status] ?? length) : (counts?.total ?? length);
  return plural(n, `${what}image`);
};

function FilterTab({
  status,
  active,
  counts,
  params,
}: {
  status: ImageStatus | null;
  active: boolean;
  counts: StatusCounts | null;
  params: URLSearchParams;
}) {
  const p = new URLSearchParams(params);
  if (status) p.set("status", status);
  else p.delete("status");
  const qs = p.toString();
  const n = counts ? (status ? counts[status] : counts.total) : null;
  return (
    <Link
      to={{ search: qs ? `?${qs}` : "" }}
      className={`filter-tab${active ? " is-active" : ""}`}
      aria-current={active ? "page" : undefined}
    >
      {status && <span className={`status-dot status-dot--${status}`} aria-hidden="true" />}
      {status ? STATUS_LABEL[status] : "All"}
      {n !== null && <span className="filter-tab__count">{formatCount(n)}</span>}
    </Link>
  );
}

/** Sort key and direction; choosing a key takes its usual direction (newest edits first, …). */
function SortControl({
  sort,
  order,
  onChange,
}: {
  sort: ImageSort;
  order: "asc" | "desc";
  onChange: (next: { sort: ImageSort; order: "asc" | "desc" }) => void;
}) {
  const id = useId();
  const ascending = order === "asc";
  return (
    <div className="sort-control">
      <label htmlFor={id} className="visually-hidden">
        Sort images by
      </label>
      <select
        id={id}
        className="input select select--compact"
        value={sort}
        onChange={(e) => {
          const next = e.target.value as ImageSort;
          onChange({ sort: next, order: DEFAULT_SORT_ORDER[next] });
        }}
      >
        {(Object.keys(SORT_LABEL) as ImageSort[]).map((k) => (
          <option key={k} value={k}>
            {SORT_LABEL[k]}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="button sort-control__direction"
        aria-label={ascending ? "Ascending: reverse the order" : "Descending: reverse the order"}
        title={ascending ? "Ascending" : "Descending"}
        data-order={order}
        onClick={() => onChange({ sort, order: ascending ? "desc" : "asc" })}
      >
        <Icon name={ascending ? "sortAsc" : "sortDesc"} size={16} />
      </button>
    </div>
  );
}

/** Search as you type; the URL follows after a short pause so history is not flooded. */
/** The "pending predictions of run X" filter a run's "Open in the editor" set, named and clearable. */
function RunFilter({ runId, onClear }: { runId: number; onClear: () => void }) {
  const run = useAsync(
    (signal) => call("getPredictionRun", { params: { runId }, signal }),
    [runId],
    "Could not load the prediction run",
  );
  const name = run.data ? `${run.data.modelName} ${run.data.modelVersion}` : `run ${runId}`;
  return (
    <span className="run-filter" data-testid="run-filter">
      <Icon name="target" size={14} /> Pending predictions of {name}
      <button
        type="button"
        className="icon-button icon-button--small"
        aria-label="Show every image, not only those with pending predictions"
        onClick={onClear}
      >
        <Icon name="close" size={14} />
      </button>
    </span>
  );
}

function SearchBox({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [draft, setDraft] = useState(value);
  const id = useId();
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => setDraft(value), [value]);
  useEffect(() => {
    if (draft.trim() === value) return;
    const t = setTimeout(() => onChangeRef.current(draft.trim()), 250);
    return () => clearTimeout(t);
  }, [draft, value]);

  return (
    <div className="search">
      <label htmlFor={id} className="visually-hidden">
        Search file names
      </label>
      <Icon name="search" size={16} className="search__icon" />
      <input
        id={id}
        type="search"
        className="input search__input"
        placeholder="Search file names"
        value={draft}
        maxLength={200}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape" && draft) {
            e.preventDefault();
            setDraft("");
          }
        }}
      />
    </div>
  );
}

function UploadButtons({
  onPicked,
  busy,
  large = false,
}: {
  onPicked: (w: Walked<File>) => void;
  busy: boolean;
  large?: boolean;
}) {
  const filesRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // Not a React prop: set the directory picker flag on the element itself.
    if (folderRef.current) folderRef.current.webkitdirectory = true;
  }, []);

  const take = (input: HTMLInputElement) => {
    if (input.files && input.files.length > 0) onPicked(fromFileList(input.files));
    input.value = "";
  };
  const size = large ? " button--large" : "";

  return (
    <div className="upload-buttons">
      <input
        ref={filesRef}
        type="file"
        multiple
        accept="image/*,.tif,.tiff,.bmp"
        className="visually-hidden"
        tabIndex={-1}
        aria-label="Choose image files to upload"
        data-testid="upload-files-input"
        onChange={(e) => take(e.currentTarget)}
      />
      <input
        ref={folderRef}
        type="file"
        multiple
        className="visually-hidden"
        tabIndex={-1}
        aria-label="Choose a folder to upload"
        data-testid="upload-folder-input"
        onChange={(e) => take(e.currentTarget)}
      />
      <button
        type="button"
        className={`button${size}`}
        disabled={busy}
        onClick={() => folderRef.current?.click()}
      >
        <Icon name="folder" size={16} /> Upload folder
      </button>
      <button
        type="button"
        className={`button button--primary${size}`}
        disabled={busy}
        onClick={() => filesRef.current?.click()}
      >
        <Icon name="upload" size={16} /> Upload images
      </button>
    </div>
  );
}

/** The selection bar's gold menu: a choice runs at once, then the menu shows its prompt again. */
function GoldSelect({ disabled, onPick }: { disabled: boolean; onPick: (gold: GoldKind | null) => void }) {
  return (
    <select
      className="input select select--small"
      aria-label="Gold"
      value=""
      disabled={disabled}
      title={disabled ? "Pick images one by one (or with Shift) to mark them gold" : undefined}
      onChange={(e) => {
        const v = e.target.value;
        if (v === "honeypot" || v === "qualification") onPick(v);
        else if (v === "none") onPick(null);
      }}
    >
      <option value="">Gold…</option>
      <option value="honeypot">{GOLD_LABEL.honeypot}</option>
      <option value="qualification">{GOLD_LABEL.qualification}</option>
      <option value="none">Not gold</option>
    </select>
  );
}

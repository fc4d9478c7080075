import { createEditor, type Shape } from "@labelbench/editor";
import { POLICY, roleMayCall } from "@labelbench/schema";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { urlOf } from "../api/client";
import { useMe } from "../auth/session-store";
import { useKeymap } from "../keymap/keymap-store";
import { parseScope, scopeSearch, withScope } from "../pages/images/library-scope";
import { TilesNotice } from "../tiles/TilesNotice";
import { useLiveImage } from "../tiles/use-live-image";
import { AttributesPanel } from "./AttributesPanel";
import { registerAppCommands } from "./app-commands";
import { ChordHint } from "./ChordHint";
import { ConflictBanner, ConflictDialog } from "./ConflictDialog";
import { emptyTiledImageStats, type TiledImageStats } from "./canvas/tile-renderer";
import { EditorCanvas, type RenderStats } from "./EditorCanvas";
import { EdIcon } from "./icons";
import { DiffLegend } from "./issues/DiffLegend";
import { IssueForm } from "./issues/IssueForm";
import { IssuePanel } from "./issues/IssuePanel";
import { useIssues } from "./issues/use-issues";
import { LabelPalette, TagsPanel } from "./LabelPalette";
import { Notices, useNotices } from "./Notices";
import { PredictionPanel, SuggestedTags } from "./predictions/PredictionPanel";
import { predictionApi } from "./predictions/prediction-api";
import { usePredictions } from "./predictions/use-predictions";
import { ReviewBar, WorkStatus } from "./review/ReviewBar";
import {
  isReviewMode,
  isWorkMode,
  parseReviewFilters,
  reviewSearch,
  WORK_SEARCH,
} from "./review/review-scope";
import { useActivityReport } from "./review/use-activity-report";
import { useReviewWorkflow } from "./review/use-review-workflow";
import { browserWorkflowApi } from "./review/workflow-api";
import { MissingImage, SaveProblems } from "./SaveProblems";
import { ShapeList } from "./ShapeList";
import { ShortcutsOverlay } from "./ShortcutsOverlay";
import { SaveIndicator, StatusBar } from "./StatusBar";
import { createEditorSession } from "./session/editor-session";
import {
  afterIdle,
  browserClock,
  imageLoader,
  onOnline,
  saveQueue,
  sessionApi,
  shapeAuthors,
} from "./session/services";
import { Toolbar } from "./Toolbar";
import { emptyRenderStats, useTestHook } from "./test-hook";
import { useWindowKeys } from "./use-window-keys";

export type { LabelbenchHook } from "./test-hook";

import "./editor.css";

/** How often an image whose tiles are being generated is read again for its progress. */
const TILE_POLL_MS = 1000;

/** The editor route: `/projects/:projectId/images/:imageId`. The session does the work; this shows it. */
export function EditorPage() {
  const params = useParams();
  const imageId = Number(params.imageId);
  const routeProjectId = Number(params.projectId);
  const navigate = useNavigate();
  // The library's filter and order (`?status=&q=&sort=&order=`, carried by its links): previous and
  // next walk the images as the grid listed them.
  const [searchParams, setSearchParams] = useSearchParams();
  // Review mode (`?mode=review&…`, from the review queue) walks the queue instead of the library.
  const me = useMe().user;
  const review =
    isReviewMode(searchParams) &&
    roleMayCall(POLICY.decideImage, me.role, { member: true, annotatorsCanExport: false });
  const filters = useMemo(() => parseReviewFilters(searchParams), [searchParams]);
  const focusIssue = /^[1-9][0-9]{0,14}$/.test(searchParams.get("issue") ?? "")
    ? Number(searchParams.get("issue"))
    : null;
  // Work mode (`?mode=work`, from My work) walks the annotator's own to-do list.
  const work = !review && isWorkMode(searchParams);
  const search = review ? reviewSearch(filters) : work ? WORK_SEARCH : scopeSearch(parseScope(searchParams));

  const [editor] = useState(() => createEditor());
  const notices = useNotices();
  // Unsaved work belongs to the account that made it: each account has its own queue and copies.
  const ownerId = me.id;
  const session = useMemo(
    () =>
      createEditorSession({
        editor,
        queue: saveQueue(ownerId),
        loader: imageLoader(),
        authors: shapeAuthors(),
        api: sessionApi,
        clock: browserClock,
        onOnline,
        notify: notices.push,
        idle: afterIdle,
      }),
    [editor, ownerId, notices],
  );
  useEffect(() => session.start(), [session]);
  useEffect(() => session.show(imageId, routeProjectId, search), [session, imageId, routeProjectId, search]);
  const { bundle, nav, loading, error, missing, viewBoth, saves } = useSyncExternalStore(
    session.subscribe,
    session.getState,
  );

  const [help, setHelp] = useState(false);
  const labelFilter = useRef<HTMLInputElement>(null);
  const closeHelp = useCallback(() => setHelp(false), []);
  const [stats] = useState<RenderStats>(emptyRenderStats);
  const [tileStats] = useState<TiledImageStats>(emptyTiledImageStats);
  const current = saves.images.get(imageId);
  const conflict = current?.status.kind === "conflict" ? current.status : null;
  const projectId = bundle?.image.projectId ?? routeProjectId;
  const projectHref = `/projects/${projectId}`;

  // A big image whose tiles are being built is read again until they are ready (or failed).
  const liveImage = useLiveImage(bundle?.image ?? null, TILE_POLL_MS);
  useEffect(() => {
    if (liveImage) session.imageUpdated(liveImage);
  }, [liveImage, session]);
  const tileState = bundle?.image.tiles.state ?? "none";
  const tiled = bundle && tileState === "ready" ? bundle.image : null;
  /** Nothing to draw on: tiles still being built and no preview, or tiles that failed. */
  const noPicture = tileState === "failed" || (tileState === "pending" && !bundle?.element);
  const tiledId = tiled?.id ?? null;
  useEffect(() => {
    // Each tiled image's figures start afresh (the bench reads firstDrawAt of the image it opened).
    if (tiledId !== null) Object.assign(tileStats, emptyTiledImageStats());
  }, [tiledId, tileStats]);

  const authors = useSyncExternalStore(shapeAuthors().subscribe, () => shapeAuthors().of(imageId));

  // Labels may change in another tab (the labels page): refresh them when the window regains focus.
  useEffect(() => {
    const onFocus = () => session.refreshLabels();
    window.addEventListener("focus", onFocus);
    return () => window.removeEventListener("focus", onFocus);
  }, [session]);

  const go = (id: number | null | undefined) => {
    if (!id) return;
    session.flushAll();
    navigate(`/projects/${session.projectId()}/images/${id}${search}`);
  };
  const flow = useReviewWorkflow({
    editor,
    session,
    api: browserWorkflowApi,
    meId: me.id,
    imageId,
    projectId,
    review,
    work,
    filters,
    saves,
    notify: notices.push,
    open: (path) => {
      session.flushAll();
      navigate(path);
    },
    libraryNext: () => session.getState().nav?.nextId ?? null,
    go,
    enabled: () => !view.current.blocked,
  });
  useActivityReport(imageId, browserWorkflowApi);

  // App commands join the editor's registry, so keys, buttons and the `?` overlay agree.
  const view = useRef({
    session,
    help,
    blocked: false,
    work,
    flow,
    go,
    submitBlocked: (): string | null => null,
    notify: notices.push,
  });
  view.current = {
    session,
    help,
    blocked: help || (conflict !== null && !viewBoth) || noPicture || flow.dialogOpen,
    work,
    flow,
    go,
    submitBlocked: () => issues.submitBlocked(),
    notify: notices.push,
  };
  useEffect(() => {
    const nav = () => view.current.session.getState().nav;
    const reviewing = () => editor.getState().mode === "review";
    const own = () => view.current.flow.workNav;
    return registerAppCommands(editor, {
      enabled: () => !view.current.blocked,
      // In review mode previous and next are the review queue's.
      hasPrevious: () =>
        reviewing()
          ? !!view.current.flow.queueNav?.previousId
          : view.current.work
            ? !!own()?.previousId
            : !!nav()?.previousId,
      // In work mode next may ask the server for a new image from the queue.
      hasNext: () =>
        reviewing() ? !!view.current.flow.queueNav?.nextId : view.current.work || !!nav()?.nextId,
      hasNextNew: () => !!nav()?.nextNewId,
      previous: () =>
        reviewing() || view.current.work
          ? view.current.flow.actions.previous()
          : view.current.go(nav()?.previousId),
      next: () =>
        reviewing() || view.current.work ? view.current.flow.actions.next() : view.current.go(nav()?.nextId),
      nextNew: () => view.current.go(nav()?.nextNewId),
      done: () => {
        // The rework author ticks every open issue fixed first (the server refuses too).
        const why = view.current.submitBlocked();
        if (why) view.current.notify("error", `Not submitted: ${why}.`);
        else void view.current.flow.actions.submit();
      },
      skip: () => view.current.go(view.current.session.setStatus("skipped")),
      copyFromPrevious: () => void view.current.session.copyFromPrevious(),
      saveNow: () => view.current.session.flushAll(),
      toggleHelp: () => setHelp((h) => !h),
      findLabel: () => labelFilter.current?.focus(),
    });
  }, [editor]);
  // The user's own keys (loaded at sign-in) over the defaults: the registry holds them, so the keys,
  // the tooltips and the `?` overlay all say the same.
  const keymap = useKeymap((s) => s.bindings);
  useEffect(() => editor.setKeymap(keymap), [editor, keymap]);

  useWindowKeys(editor, view, closeHelp);
  // Review (issue 15): the image's issues and the re-review diff; `I` and `G` in review mode.
  const reviewMode = review;
  const issues = useIssues(
    editor,
    imageId,
    notices,
    () => view.current.blocked,
    () => {
      // The image's open-issue count moved: the workflow's ImageWork (reject needs an open issue) follows.
      void flow.workflow.open(imageId, projectId);
    },
    focusIssue,
  );
  // Issue 17: a model's predictions as a layer to accept, reject or edit.
  const predictions = usePredictions(editor, imageId, notices, () => view.current.blocked, {
    flush: () => session.flushAll(),
    reloadAnnotations: () => session.reload(),
  });
  useTestHook(editor, session, stats, tileStats);

  const serverShapes = useMemo<Shape[] | null>(
    () =>
      viewBoth && conflict
        ? conflict.server.annotations.map((a) => ({ id: a.id, labelId: a.labelId, geometry: a.geometry }))
        : null,
    [viewBoth, conflict],
  );

  /** The status bar describes the image of the address, not the previous one still on the canvas. */
  const shown = bundle && bundle.image.id === imageId ? bundle : null;

  const otherChanges =
    saves.totalChanges - (current?.status.kind === "saved" ? 0 : (current?.status.changes ?? 0));

  if (missing) return <MissingImage imageParam={params.imageId} routeProjectId={routeProjectId} />;

  return (
    <div className="ed-root" data-testid="editor">
      <Toolbar
        editor={editor}
        projectId={projectId}
        projectHref={projectHref}
        nav={
          review
            ? flow.queueNav
              ? { ...flow.queueNav, nextNewId: null }
              : null
            : work
              ? {
                  previousId: flow.workNav?.previousId ?? null,
                  nextId: flow.workNav?.nextId ?? null,
                  nextNewId: null,
                  nextOnRequest: true,
                }
              : nav
        }
        onHelp={() => setHelp((h) => !h)}
      />
      {viewBoth && conflict && (
        <ConflictBanner
          server={conflict.server}
          conflicts={conflict.merge.conflicts.length}
          onBack={() => session.setViewBoth(false)}
        />
      )}
      {review && (
        <ReviewBar
          editor={editor}
          state={flow.state}
          readOnly={!flow.state.fixing}
          nameOf={flow.workflow.nameOf}
          onAccept={flow.actions.accept}
          onReject={flow.actions.reject}
          onFix={flow.actions.fix}
          onDraft={flow.workflow.setDraft}
          onConfirmReject={flow.actions.confirmReject}
          onCancel={flow.actions.cancel}
          onReload={flow.actions.reload}
        />
      )}
      {flow.holder && (
        <div className="ed-banner" role="alert" data-testid="held-by">
          <EdIcon name="alert" size={16} />
          <span>Not saved: {flow.holder}. Your edits are kept on this device.</span>
          <button type="button" className="ed-btn" onClick={session.flushAll}>
            Try again
          </button>
        </div>
      )}
      <SaveProblems saves={saves} imageId={imageId} onDiscard={session.discard} />
      <div className="ed-main">
        <aside className="ed-side ed-side--left">
          <LabelPalette editor={editor} projectHref={projectHref} filterRef={labelFilter} />
          <TagsPanel editor={editor} />
          <SuggestedTags editor={editor} session={predictions.session} />
        </aside>
        <div className="ed-canvas">
          <EditorCanvas
            editor={editor}
            image={bundle?.element ?? null}
            imageSize={bundle ? { width: bundle.image.width, height: bundle.image.height } : null}
            serverShapes={serverShapes}
            stats={stats}
            tiled={tiled}
            tileStats={tileStats}
            marks={issues.session.marks}
            predictionMarks={predictions.marks}
            pressIntercept={predictions.session.pointer}
          />
          <ChordHint editor={editor} />
          {issues.rights.review && <IssueForm editor={editor} session={issues.session} />}
          <DiffLegend session={issues.session} keys={reviewMode} />
          {bundle && !error && (
            <TilesNotice
              image={bundle.image}
              hasPreview={bundle.element !== null}
              actions={
                <>
                  <Link className="ed-btn" to={projectHref}>
                    Back to the project
                  </Link>
                  <a className="ed-btn" href={urlOf("imageFile", { imageId: bundle.image.id })} download>
                    Download the file
                  </a>
                </>
              }
            />
          )}
          {loading && !error && (
            <div className="ed-loading" aria-live="polite">
              <span className="ed-spinner" /> Loading image…
            </div>
          )}
          {error && (
            <div className="ed-error" role="alert">
              <EdIcon name="alert" size={22} />
              <p>{error}</p>
              <Link className="ed-btn" to={projectHref}>
                Back to the project
              </Link>
            </div>
          )}
          <Notices editor={editor} notices={notices} />
        </div>
        <aside className="ed-side ed-side--right">
          <IssuePanel editor={editor} session={issues.session} rights={issues.rights} keys={reviewMode} />
          <PredictionPanel
            editor={editor}
            session={predictions.session}
            api={predictionApi}
            walk={
              review || work
                ? undefined
                : {
                    runId: parseScope(searchParams).predictionRun,
                    toggle: (runId) => {
                      const scope = parseScope(searchParams);
                      setSearchParams(
                        withScope(searchParams, {
                          ...scope,
                          predictionRun: scope.predictionRun === runId ? undefined : runId,
                        }),
                        { replace: true },
                      );
                    },
                  }
            }
          />
          <AttributesPanel editor={editor} />
          <ShapeList editor={editor} authors={authors} />
        </aside>
      </div>
      <StatusBar
        editor={editor}
        fileName={shown?.image.fileName ?? ""}
        position={
          work
            ? flow.workNav && flow.workNav.position > 0
              ? {
                  position: flow.workNav.position,
                  total: flow.workNav.total,
                  title: "Position in your work list",
                }
              : null
            : nav
              ? {
                  position: nav.position,
                  total: nav.total,
                  // A run's "Open in the editor" walks only its pending work: say so where the count is.
                  ...(!review && parseScope(searchParams).predictionRun !== undefined
                    ? { title: "Position among the images with pending predictions of this run" }
                    : {}),
                }
              : null
        }
        imageStatus={shown?.image.status ?? null}
        size={shown ? { width: shown.image.width, height: shown.image.height } : null}
        work={review ? null : <WorkStatus state={flow.state} nameOf={flow.workflow.nameOf} />}
        historyHref={`/projects/${projectId}/images/${imageId}/history`}
        save={
          <SaveIndicator
            status={current?.status}
            otherChanges={otherChanges}
            storageError={saves.storageError}
          />
        }
      />
      {help && <ShortcutsOverlay editor={editor} onClose={() => setHelp(false)} />}
      {conflict && !viewBoth && (
        <ConflictDialog
          server={conflict.server}
          merge={conflict.merge}
          labelName={(id) => editor.getState().labels.find((l) => l.id === id)?.name ?? `label ${id}`}
          onResolve={session.resolveConflict}
          onViewBoth={() => session.setViewBoth(true)}
        />
      )}
    </div>
  );
}

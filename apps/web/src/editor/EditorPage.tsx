import { createEditor, type EditorDocument, type Shape } from "@labelbench/editor";
import type { Image, Label } from "@labelbench/schema";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { ApiError, call, urlOf } from "../api/client";
import { useMe } from "../auth/session-store";
import { parseScope, scopeQuery, scopeSearch } from "../pages/images/library-scope";
import { TilesNotice } from "../tiles/TilesNotice";
import { useLiveImage } from "../tiles/use-live-image";
import { registerAppCommands } from "./app-commands";
import { ConflictBanner, ConflictDialog } from "./ConflictDialog";
import { emptyTiledImageStats, type TiledImageStats } from "./canvas/tile-renderer";
import { EditorCanvas, type RenderStats } from "./EditorCanvas";
import { EdIcon } from "./icons";
import { LabelPalette, TagsPanel } from "./LabelPalette";
import { Notices, useNotices } from "./Notices";
import { ShapeList } from "./ShapeList";
import { ShortcutsOverlay } from "./ShortcutsOverlay";
import { SaveIndicator, StatusBar } from "./StatusBar";
import type { MergeSide, SaveQueue, SaveQueueState, Snapshot } from "./save/save-queue";
import type { ImageBundle } from "./session/image-loader";
import { takePreloaded } from "./session/preload";
import { imageLoader, saveQueue, shapeAuthors } from "./session/services";
import { isUnreachable, useRetryWhenReachable } from "./session/when-reachable";
import { Toolbar } from "./Toolbar";
import type { LabelbenchHook } from "./test-hook";
import "./editor.css";

type Neighbours = Awaited<ReturnType<typeof call<"imageNeighbours">>>;

const snapshotOfDoc = (doc: EditorDocument): Snapshot => {
  const annotations: Snapshot["annotations"] = [];
  for (const s of doc.shapes.values())
    annotations.push({ id: s.id, labelId: s.labelId, geometry: s.geometry });
  return { annotations, tags: [...doc.tags] };
};

const EMPTY_QUEUE_STATE: SaveQueueState = { images: new Map(), totalChanges: 0, storageError: null };
const SET_MAX_AGE_MS = 15_000;
/** How often an image whose tiles are being generated is read again for its progress. */
const TILE_POLL_MS = 1000;

const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement &&
  (t.isContentEditable || t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");

const errorText = (err: unknown) =>
  err instanceof ApiError && err.status === 404
    ? "This image does not exist (any more)."
    : err instanceof Error
      ? err.message
      : String(err);

/** The editor route: `/projects/:projectId/images/:imageId`. */
export function EditorPage() {
  const params = useParams();
  const imageId = Number(params.imageId);
  const routeProjectId = Number(params.projectId);
  const navigate = useNavigate();
  // The library's filter and order (`?status=&q=&sort=&order=`, carried by its links): previous and
  // next walk the images as the grid listed them.
  const [searchParams] = useSearchParams();
  const search = scopeSearch(parseScope(searchParams));

  const [editor] = useState(() => createEditor());
  const [queue, setQueue] = useState<SaveQueue | null>(null);
  const [bundle, setBundle] = useState<ImageBundle | null>(null);
  const [nav, setNav] = useState<Neighbours | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  /** Bumped to load the image again (after the server could not be reached). */
  const [loadAttempt, setLoadAttempt] = useState(0);
  const [loadUnreachable, setLoadUnreachable] = useState(false);
  /** The address names no image this account can see: nothing else of the editor makes sense then. */
  const [missing, setMissing] = useState(false);
  const [navAttempt, setNavAttempt] = useState(0);
  const [navUnreachable, setNavUnreachable] = useState(false);
  const [viewBoth, setViewBoth] = useState(false);
  const [stats] = useState<RenderStats>(() => ({
    shapesDrawn: 0,
    shapesDraws: 0,
    lastShapesMs: 0,
    lastShapesAt: 0,
    overlayDraws: 0,
    tileRenders: 0,
    tileMs: 0,
    pictures: 0,
    urgentPictures: 0,
    settled: false,
    sharpAt: 0,
  }));
  const notices = useNotices();
  const [tileStats] = useState<TiledImageStats>(emptyTiledImageStats);

  /** The image edits are recorded for; null while another image is being put in place. */
  const currentRef = useRef<number | null>(null);
  /** Set before an image is shown, so no edit can happen before autosave is wired. */
  const queueRef = useRef<SaveQueue | null>(null);
  const suppressRef = useRef(false);
  const navRef = useRef<Neighbours | null>(null);
  navRef.current = nav;
  const helpRef = useRef(false);
  helpRef.current = help;
  const blockedRef = useRef(false);
  const labelsCache = useRef(new Map<number, Promise<Label[]>>());
  const neighboursCache = useRef(new Map<number, Neighbours>());

  const projectId = bundle?.image.projectId ?? routeProjectId;
  const projectHref = `/projects/${projectId}`;

  // Unsaved work belongs to the account that made it: each account has its own queue and copies.
  const ownerId = useMe().user.id;
  useEffect(() => {
    let alive = true;
    saveQueue(ownerId).then(
      (q) => alive && setQueue(q),
      (err) => alive && setError(`Cannot keep unsaved work on this device: ${errorText(err)}`),
    );
    return () => {
      alive = false;
    };
  }, [ownerId]);

  const queueState = useSyncExternalStore(
    useCallback((l: () => void) => (queue ? queue.subscribe(l) : () => {}), [queue]),
    () => queue?.getState() ?? EMPTY_QUEUE_STATE,
  );
  const current = queueState.images.get(imageId);
  const conflict = current?.status.kind === "conflict" ? current.status : null;

  // A big image whose tiles are being built is read again until they are ready (or failed).
  const liveImage = useLiveImage(bundle?.image ?? null, TILE_POLL_MS);
  useEffect(() => {
    if (!liveImage || !bundle || liveImage === bundle.image || liveImage.id !== bundle.image.id) return;
    imageLoader().updateImage(liveImage);
    setBundle((b) => (b && b.image.id === liveImage.id ? { ...b, image: liveImage } : b));
  }, [liveImage, bundle]);
  const tileState = bundle?.image.tiles.state ?? "none";
  const tiled = bundle && tileState === "ready" ? bundle.image : null;
  /** Nothing to draw on: tiles still being built and no preview, or tiles that failed. */
  const noPicture = tileState === "failed" || (tileState === "pending" && !bundle?.element);
  const tiledId = tiled?.id ?? null;
  useEffect(() => {
    // Each tiled image's figures start afresh (the bench reads firstDrawAt of the image it opened).
    if (tiledId !== null) Object.assign(tileStats, emptyTiledImageStats());
  }, [tiledId, tileStats]);

  blockedRef.current = help || (conflict !== null && !viewBoth) || noPicture;

  // The server's side of a conflict is a server reply too: its shapes' authors are the latest known.
  const conflictServer = conflict?.server ?? null;
  useEffect(() => {
    if (conflictServer) shapeAuthors().record(conflictServer);
  }, [conflictServer]);
  const authors = useSyncExternalStore(shapeAuthors().subscribe, () => shapeAuthors().of(imageId));

  const labelsOf = useCallback((pid: number) => {
    let p = labelsCache.current.get(pid);
    if (!p) {
      p =
        takePreloaded("labels", pid) ??
        call("listLabels", { params: { projectId: pid } }).then((r) => r.items);
      p.catch(() => labelsCache.current.delete(pid));
      labelsCache.current.set(pid, p);
    }
    return p;
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new scope makes every cached answer stale
  useEffect(() => neighboursCache.current.clear(), [search]);
  const fetchNeighbours = useCallback(
    async (id: number) => {
      const query = scopeQuery(parseScope(new URLSearchParams(search)));
      const n = await call("imageNeighbours", { params: { imageId: id }, query });
      neighboursCache.current.set(id, n);
      return n;
    },
    [search],
  );

  // Load the image (from the preload cache when it is there), reconcile with local copies, show it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: loadAttempt loads again after an outage.
  useEffect(() => {
    if (!Number.isInteger(imageId) || imageId <= 0) {
      setLoading(false);
      setMissing(true);
      return;
    }
    let cancelled = false;
    setMissing(false);
    setError(null);
    setLoading(true);
    setLoadUnreachable(false);
    setNav(neighboursCache.current.get(imageId) ?? null);
    const loader = imageLoader();
    (async () => {
      // Image, annotations, labels and local storage all load at once.
      const bundle = loader.get(imageId, { maxSetAgeMs: SET_MAX_AGE_MS });
      const routeLabels = Number.isInteger(routeProjectId) ? labelsOf(routeProjectId) : null;
      routeLabels?.catch(() => {});
      const q = saveQueue(ownerId);
      const b = await bundle;
      const labels =
        routeLabels && b.image.projectId === routeProjectId
          ? await routeLabels
          : await labelsOf(b.image.projectId);
      const queue = await q;
      queueRef.current = queue;
      if (cancelled) return;
      const opened = await queue.open(b.image.projectId, b.set);
      if (cancelled) return;
      const set =
        opened.kind === "server" ? opened.set : opened.kind === "local" ? opened.snapshot : opened.mine;
      currentRef.current = null;
      editor.load({ image: { id: b.image.id, width: b.image.width, height: b.image.height }, labels, set });
      currentRef.current = imageId;
      setBundle(b);
      setViewBoth(false);
      setLoading(false);
      // Whatever is pending for this image goes out now, e.g. after signing in again.
      if (opened.kind === "local") queue.flushAll();
      if (opened.kind === "local")
        notices.push(
          "info",
          `Restored ${opened.changes} unsaved change${opened.changes === 1 ? "" : "s"} kept on this device; saving them now.`,
        );
    })().catch((err: unknown) => {
      if (cancelled) return;
      setLoading(false);
      if (err instanceof ApiError && err.status === 404) {
        setMissing(true);
        return;
      }
      const unreachable = isUnreachable(err);
      setError(unreachable ? `${errorText(err)}. Trying again when the connection is back…` : errorText(err));
      setLoadUnreachable(unreachable);
    });
    return () => {
      cancelled = true;
    };
  }, [imageId, routeProjectId, editor, labelsOf, notices, ownerId, loadAttempt]);
  useRetryWhenReachable(loadUnreachable, imageId, () => setLoadAttempt((n) => n + 1));

  // Neighbours (previous/next, position) load beside the image; without them only navigation waits.
  // biome-ignore lint/correctness/useExhaustiveDependencies: navAttempt asks again after an outage.
  useEffect(() => {
    if (!Number.isInteger(imageId) || imageId <= 0) return;
    let cancelled = false;
    setNavUnreachable(false);
    fetchNeighbours(imageId).then(
      (n) => {
        if (cancelled) return;
        setNav(n);
        imageLoader().prefetch([n.nextId, n.previousId, n.nextNewId]);
        for (const id of [n.nextId, n.previousId]) if (id) fetchNeighbours(id).catch(() => {});
      },
      (err: unknown) => {
        if (cancelled) return;
        if (isUnreachable(err)) setNavUnreachable(true);
        else notices.push("error", `Could not find the previous and next images: ${errorText(err)}`);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [imageId, fetchNeighbours, notices, navAttempt]);
  useRetryWhenReachable(navUnreachable, imageId, () => setNavAttempt((n) => n + 1));

  // Copies left by an earlier session for other images get saved in the background.
  useEffect(() => {
    if (queue) void queue.resume();
  }, [queue]);

  // Labels may change in another tab (the labels page): refresh them when the window regains focus.
  useEffect(() => {
    const onFocus = () => {
      const pid = editor.getState().image ? projectId : null;
      if (pid === null) return;
      labelsCache.current.delete(pid);
      labelsOf(pid).then(
        (labels) => editor.setLabels(labels),
        () => {},
      );
    };
    window.addEventListener("focus", onFocus);
    return () => window.removeEventListener("focus", onFocus);
  }, [editor, labelsOf, projectId]);

  // Autosave: every committed change of the document goes to the queue.
  useEffect(() => {
    let last = editor.getState().docVersion;
    return editor.store.subscribe((s) => {
      if (s.docVersion === last) return;
      last = s.docVersion;
      const id = currentRef.current;
      const q = queueRef.current;
      if (id === null || q === null || suppressRef.current) return;
      q.change(id, snapshotOfDoc(s.doc));
    });
  }, [editor]);

  // A conflict merged on its own (edits of different shapes): the editor shows their changes too, at
  // once, so the next edit is diffed against the merged set and never takes their work back.
  useEffect(() => {
    if (!queue) return;
    return queue.onMerged((id, merged, merge) => {
      if (currentRef.current !== id) return;
      suppressRef.current = true;
      try {
        editor.applyRemote(merged);
      } finally {
        suppressRef.current = false;
      }
      const { added, changed, deleted } = merge.theirs;
      const parts = [
        added > 0 && `${added} added`,
        changed > 0 && `${changed} changed`,
        deleted > 0 && `${deleted} deleted`,
      ].filter(Boolean);
      notices.push(
        "info",
        `Someone else saved this image; their changes (${parts.join(", ") || "none to shapes"}) are merged with yours.`,
      );
    });
  }, [queue, editor, notices]);

  const goTo = useCallback(
    (id: number | null | undefined) => {
      if (!id) return;
      queue?.flushAll();
      navigate(`/projects/${projectId}/images/${id}${search}`);
    },
    [navigate, projectId, queue, search],
  );

  const setStatus = useCallback(
    (status: "done" | "skipped") => {
      const id = imageId;
      call("updateImage", { params: { imageId: id }, body: { status } }).then(
        (img: Image) => {
          imageLoader().updateImage(img);
          setBundle((b) => (b && b.image.id === img.id ? { ...b, image: img } : b));
          neighboursCache.current.clear();
        },
        (err: unknown) => notices.push("error", `Could not mark image ${status}: ${errorText(err)}`),
      );
      const next = navRef.current?.nextId;
      if (next) goTo(next);
      else
        notices.push(
          "info",
          status === "done" ? "Marked done. This is the last image." : "Skipped. This is the last image.",
        );
    },
    [imageId, goTo, notices],
  );

  const copyFromPrevious = useCallback(async () => {
    const prev = navRef.current?.previousId;
    if (!prev || !queue) return;
    try {
      const pending = queue.pendingSnapshot(prev);
      const source = pending
        ? pending.annotations
        : (await imageLoader().get(prev, { maxSetAgeMs: 0 })).set.annotations;
      if (source.length === 0) {
        notices.push("info", "The previous image has no shapes to copy.");
        return;
      }
      const shapes: Shape[] = source.map((a) => ({ id: a.id, labelId: a.labelId, geometry: a.geometry }));
      editor.pasteShapes(shapes);
      notices.push(
        "info",
        `Copied ${shapes.length} shape${shapes.length === 1 ? "" : "s"} from the previous image.`,
      );
    } catch (err) {
      notices.push("error", `Could not copy from the previous image: ${errorText(err)}`);
    }
  }, [editor, queue, notices]);

  // App commands join the editor's registry, so keys, buttons and the `?` overlay agree.
  const actions = useRef({ goTo, setStatus, copyFromPrevious, queue });
  actions.current = { goTo, setStatus, copyFromPrevious, queue };
  useEffect(
    () =>
      registerAppCommands(editor, {
        enabled: () => !blockedRef.current,
        hasPrevious: () => !!navRef.current?.previousId,
        hasNext: () => !!navRef.current?.nextId,
        hasNextNew: () => !!navRef.current?.nextNewId,
        previous: () => actions.current.goTo(navRef.current?.previousId),
        next: () => actions.current.goTo(navRef.current?.nextId),
        nextNew: () => actions.current.goTo(navRef.current?.nextNewId),
        done: () => actions.current.setStatus("done"),
        skip: () => actions.current.setStatus("skipped"),
        copyFromPrevious: () => void actions.current.copyFromPrevious(),
        saveNow: () => actions.current.queue?.flushAll(),
        toggleHelp: () => setHelp((h) => !h),
      }),
    [editor],
  );

  // Keyboard: the window listens so keys work wherever focus is, except in text fields and dialogs.
  useEffect(() => {
    const onDown = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return;
      if (helpRef.current) {
        if (e.key === "Escape" || e.key === "?") {
          setHelp(false);
          e.preventDefault();
        }
        return;
      }
      if (blockedRef.current) return;
      const handled = editor.dispatch({
        type: "keyDown",
        key: e.key,
        code: e.code,
        shift: e.shiftKey,
        ctrl: e.ctrlKey,
        meta: e.metaKey,
        alt: e.altKey,
        repeat: e.repeat,
      });
      if (handled) e.preventDefault();
    };
    // Releases always go through, so a Space-pan can never get stuck.
    const onUp = (e: KeyboardEvent) => {
      if (editor.dispatch({ type: "keyUp", key: e.key, code: e.code })) e.preventDefault();
    };
    const onBlur = () => editor.dispatch({ type: "keyUp", key: " ", code: "Space" });
    window.addEventListener("keydown", onDown);
    window.addEventListener("keyup", onUp);
    window.addEventListener("blur", onBlur);
    return () => {
      window.removeEventListener("keydown", onDown);
      window.removeEventListener("keyup", onUp);
      window.removeEventListener("blur", onBlur);
    };
  }, [editor]);

  // Test hook.
  useEffect(() => {
    const hook: LabelbenchHook = {
      editor,
      get saveState() {
        const id = currentRef.current;
        const st = queue?.getState();
        return {
          imageId: id,
          status: id === null ? null : (st?.images.get(id)?.status ?? null),
          totalChanges: st?.totalChanges ?? 0,
        };
      },
      queue,
      render: stats,
      tiles: tileStats,
    };
    window.__labelbench = hook;
    return () => {
      if (window.__labelbench === hook) delete window.__labelbench;
    };
  }, [editor, queue, stats, tileStats]);

  const resolveConflict = useCallback(
    (choices: ReadonlyMap<string, MergeSide>) => {
      if (!queue) return;
      const r = queue.resolveConflict(imageId, choices);
      setViewBoth(false);
      if (!r) return;
      suppressRef.current = true;
      try {
        // Their merged changes are not the user's to undo; the shapes they took from the other side are:
        // taking theirs by mistake is one Ctrl+Z away from bringing mine back.
        editor.applyRemote(r.merged);
        editor.replaceDocument(r.resolved, { recordHistory: true });
      } finally {
        suppressRef.current = false;
      }
      const taken = [...choices.values()].filter((c) => c === "theirs").length;
      if (taken > 0)
        notices.push(
          "info",
          `Took their version of ${taken} shape${taken === 1 ? "" : "s"}. Undo brings yours back.`,
        );
    },
    [editor, imageId, queue, notices],
  );

  const serverShapes = useMemo<Shape[] | null>(
    () =>
      viewBoth && conflict
        ? conflict.server.annotations.map((a) => ({ id: a.id, labelId: a.labelId, geometry: a.geometry }))
        : null,
    [viewBoth, conflict],
  );

  /** The status bar describes the image of the address, not the previous one still on the canvas. */
  const shown = bundle && bundle.image.id === imageId ? bundle : null;

  const otherProblems = [...queueState.images.entries()].filter(
    ([id, v]) => id !== imageId && (v.status.kind === "conflict" || v.status.kind === "error"),
  );
  const otherChanges =
    queueState.totalChanges - (current?.status.kind === "saved" ? 0 : (current?.status.changes ?? 0));

  if (missing) {
    const library = Number.isInteger(routeProjectId) ? `/projects/${routeProjectId}/images` : "/";
    return (
      <div className="ed-root" data-testid="editor">
        <div className="ed-missing" role="alert">
          <EdIcon name="alert" size={28} />
          <h1 className="ed-missing__title">Image {params.imageId} does not exist</h1>
          <p className="ed-missing__text">
            It may have been deleted, or the address is mistyped. Nothing was opened or changed.
          </p>
          <Link className="ed-btn ed-btn--primary" to={library}>
            Back to the library
          </Link>
        </div>
      </div>
    );
  }

  return (
    <div className="ed-root" data-testid="editor">
      <Toolbar
        editor={editor}
        projectId={projectId}
        projectHref={projectHref}
        nav={nav}
        onHelp={() => setHelp((h) => !h)}
      />
      {viewBoth && conflict && (
        <ConflictBanner
          server={conflict.server}
          conflicts={conflict.merge.conflicts.length}
          onBack={() => setViewBoth(false)}
        />
      )}
      {otherProblems.map(([id, v]) => (
        <div key={id} className="ed-banner" role="alert">
          <EdIcon name="alert" size={16} />
          <span>
            {v.status.kind === "conflict"
              ? `Unsaved changes to image ${id} conflict with a newer save on the server.`
              : `Changes to image ${id} were not saved: ${v.status.kind === "error" ? v.status.message : ""}`}
          </span>
          <Link className="ed-btn ed-btn--small" to={`/projects/${v.projectId}/images/${id}`}>
            Open it
          </Link>
          {v.status.kind === "error" && (
            <button
              type="button"
              className="ed-btn ed-btn--small"
              onClick={() => {
                if (window.confirm(`Discard the unsaved changes to image ${id}? This cannot be undone.`))
                  queue?.discard(id);
              }}
            >
              Discard them
            </button>
          )}
        </div>
      ))}
      <div className="ed-main">
        <aside className="ed-side ed-side--left">
          <LabelPalette editor={editor} projectHref={projectHref} />
          <TagsPanel editor={editor} />
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
          />
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
          <ShapeList editor={editor} authors={authors} />
        </aside>
      </div>
      <StatusBar
        editor={editor}
        fileName={shown?.image.fileName ?? ""}
        position={nav ? { position: nav.position, total: nav.total } : null}
        imageStatus={shown?.image.status ?? null}
        size={shown ? { width: shown.image.width, height: shown.image.height } : null}
        save={
          <SaveIndicator
            status={current?.status}
            otherChanges={otherChanges}
            storageError={queueState.storageError}
          />
        }
      />
      {help && <ShortcutsOverlay editor={editor} onClose={() => setHelp(false)} />}
      {conflict && !viewBoth && (
        <ConflictDialog
          server={conflict.server}
          merge={conflict.merge}
          labelName={(id) => editor.getState().labels.find((l) => l.id === id)?.name ?? `label ${id}`}
          onResolve={resolveConflict}
          onViewBoth={() => setViewBoth(true)}
        />
      )}
    </div>
  );
}

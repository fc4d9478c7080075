import { createEditor, type Editor, type EditorDocument, type Shape } from "@labelbench/editor";
import type { Image, Label } from "@labelbench/schema";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { ApiError, call, urlOf } from "../api/client";
import { parseScope, scopeQuery, scopeSearch } from "../pages/images/library-scope";
import { emptyTiledImageStats, type TiledImageStats } from "../tiles/TiledImage";
import { TilesNotice } from "../tiles/TilesNotice";
import { useLiveImage } from "../tiles/use-live-image";
import { registerAppCommands } from "./app-commands";
import { ConflictBanner, type ConflictChoice, ConflictDialog } from "./ConflictDialog";
import { EditorCanvas, type RenderStats } from "./EditorCanvas";
import { EdIcon } from "./icons";
import type { ImageBundle } from "./image-loader";
import { LabelPalette, TagsPanel } from "./LabelPalette";
import { Notices, useNotices } from "./Notices";
import { takePreloaded } from "./preload";
import { ShapeList } from "./ShapeList";
import { ShortcutsOverlay } from "./ShortcutsOverlay";
import { SaveIndicator, StatusBar } from "./StatusBar";
import type { SaveQueue, SaveQueueState, SaveStatus, Snapshot } from "./save-queue";
import { imageLoader, saveQueue, shapeAuthors } from "./services";
import { Toolbar } from "./Toolbar";
import "./editor.css";

type Neighbours = Awaited<ReturnType<typeof call<"imageNeighbours">>>;

/** The test hook (excalidraw's `window.h`): e2e reads editor and save state through it. */
export interface LabelbenchHook {
  editor: Editor;
  readonly saveState: { imageId: number | null; status: SaveStatus | null; totalChanges: number };
  queue: SaveQueue | null;
  render: RenderStats;
  /** What the tile renderer did (gigapixel images); `firstDrawAt` times the first tiles on screen. */
  tiles: TiledImageStats;
}
declare global {
  interface Window {
    __labelbench?: LabelbenchHook;
  }
}

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

  useEffect(() => {
    let alive = true;
    saveQueue().then(
      (q) => alive && setQueue(q),
      (err) => alive && setError(`Cannot keep unsaved work on this device: ${errorText(err)}`),
    );
    return () => {
      alive = false;
    };
  }, []);

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
  useEffect(() => {
    if (!Number.isInteger(imageId) || imageId <= 0) {
      setLoading(false);
      setError("This address does not name an image.");
      return;
    }
    let cancelled = false;
    setError(null);
    setLoading(true);
    setNav(neighboursCache.current.get(imageId) ?? null);
    const loader = imageLoader();
    (async () => {
      // Image, annotations, labels and local storage all load at once.
      const bundle = loader.get(imageId, { maxSetAgeMs: SET_MAX_AGE_MS });
      const routeLabels = Number.isInteger(routeProjectId) ? labelsOf(routeProjectId) : null;
      routeLabels?.catch(() => {});
      const q = saveQueue();
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
      const n = await fetchNeighbours(imageId);
      if (cancelled) return;
      setNav(n);
      loader.prefetch([n.nextId, n.previousId, n.nextNewId]);
      for (const id of [n.nextId, n.previousId]) if (id) fetchNeighbours(id).catch(() => {});
    })().catch((err: unknown) => {
      if (cancelled) return;
      setLoading(false);
      setError(errorText(err));
    });
    return () => {
      cancelled = true;
    };
  }, [imageId, routeProjectId, editor, labelsOf, fetchNeighbours, notices]);

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

  const chooseConflict = useCallback(
    (c: ConflictChoice) => {
      if (!queue) return;
      if (c === "both") {
        setViewBoth(true);
        return;
      }
      const server = queue.resolveConflict(imageId, c);
      if (server && c === "theirs") {
        suppressRef.current = true;
        try {
          // Undoable: taking theirs by mistake is one Ctrl+Z away from bringing mine back.
          editor.replaceDocument(server, { recordHistory: true });
        } finally {
          suppressRef.current = false;
        }
        notices.push("info", "Now showing the server's version. Undo brings yours back.");
      }
      setViewBoth(false);
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

  const otherProblems = [...queueState.images.entries()].filter(
    ([id, v]) => id !== imageId && (v.status.kind === "conflict" || v.status.kind === "error"),
  );
  const otherChanges =
    queueState.totalChanges - (current?.status.kind === "saved" ? 0 : (current?.status.changes ?? 0));

  return (
    <div className="ed-root" data-testid="editor">
      <Toolbar
        editor={editor}
        projectId={projectId}
        projectHref={projectHref}
        nav={nav}
        onHelp={() => setHelp((h) => !h)}
      />
      {viewBoth && conflict && <ConflictBanner server={conflict.server} onChoose={chooseConflict} />}
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
        fileName={bundle?.image.fileName ?? ""}
        position={nav ? { position: nav.position, total: nav.total } : null}
        imageStatus={bundle?.image.status ?? null}
        size={bundle ? { width: bundle.image.width, height: bundle.image.height } : null}
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
        <ConflictDialog mine={conflict.mine} server={conflict.server} onChoose={chooseConflict} />
      )}
    </div>
  );
}

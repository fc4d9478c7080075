import {
  DRAG_THRESHOLD_PX,
  type Editor,
  type EditorState,
  focusViewport,
  geometryBounds,
  HANDLE_TOLERANCE_PX,
  type Shape,
} from "@labelbench/editor";
import { type ScreenPoint, screenToImage } from "@labelbench/geometry";
import type {
  Calibration,
  ImagePredictions,
  Prediction,
  PredictionDecisions,
  PredictionRun,
  PredictionState,
} from "@labelbench/schema";
import { createStore, type StoreApi } from "zustand/vanilla";
import {
  EMPTY_FILTER,
  formatScore,
  isOpen,
  isShapePrediction,
  type LayerContext,
  labelKey,
  type PredictionFilter,
  predictionAt,
  type ShapePrediction,
  stepPrediction,
  suggestedTags,
  takenIds,
  visibleShapes,
} from "./prediction-model";

/** The prediction endpoints, injected (the browser's in prediction-api.ts, a fake in tests). */
export interface PredictionApi {
  imagePredictions(imageId: number): Promise<ImagePredictions>;
  decide(imageId: number, body: PredictionDecisions): Promise<Prediction[]>;
  run(runId: number): Promise<PredictionRun>;
  calibration(runId: number, targetPrecision: number): Promise<Calibration>;
}

export interface PredictionSessionState {
  imageId: number | null;
  data: ImagePredictions | null;
  loading: boolean;
  /** Why the predictions could not be read (shown in the panel). */
  error: string | null;
  filter: PredictionFilter;
  /** Decisions made here the data does not show yet (a reject sent; reopened by Undo). */
  local: ReadonlyMap<number, PredictionState>;
  /** The prediction stepped to or clicked: outlined, with handles; Enter accepts it, Delete rejects it. */
  focusId: number | null;
  /** The runs as last read (project-wide counts), fresher than `data.runs` after decisions. */
  runs: ReadonlyMap<number, PredictionRun>;
}

export interface PredictionSession {
  readonly store: StoreApi<PredictionSessionState>;
  show(imageId: number): void;
  reload(): Promise<void>;
  /** The layer's context for an editor state (the document's accepted shapes, hidden labels). */
  context(s: EditorState): LayerContext;
  /** The shape predictions drawn now, highest score first. */
  visible(): ShapePrediction[];
  suggestedTags(): Prediction[];
  focused(): ShapePrediction | null;
  focus(id: number | null, opts?: { centre?: boolean }): void;
  step(dir: 1 | -1): ShapePrediction | null;
  /** Accepts the focused (or given) prediction as a shape, with another label when `labelId` says so (edited). */
  accept(id?: number, labelId?: number): boolean;
  reject(id?: number): Promise<boolean>;
  /** Every drawn shape prediction becomes a shape: one change, one save. Returns how many. */
  acceptAllVisible(): number;
  acceptTag(id: number): Promise<boolean>;
  setRunMin(runId: number, score: number): void;
  setLabelMin(runId: number, labelId: number, score: number | null): void;
  toggleRun(runId: number): void;
  /** Reads the runs' counts again (after decisions). */
  refreshRuns(): Promise<void>;
  /** The canvas's press hooks: a press on a prediction focuses it; a drag of the focused one accepts it and goes on as the editor's move or resize. */
  readonly pointer: PredictionPointer;
  dispose(): void;
}

export interface PredictionPointer {
  down(screen: ScreenPoint, button: number): boolean;
  move(screen: ScreenPoint): boolean;
  up(): boolean;
}

export interface PredictionSessionDeps {
  api: PredictionApi;
  editor: Editor;
  notify: (kind: "info" | "error", text: string) => void;
  newId: () => string;
  /** The image's annotations changed on the server (a tag accepted there): read them again. */
  reloadAnnotations: () => void;
  /** Flushes the editor's pending saves (before a request whose effect must follow them). */
  flushSaves: () => void;
  /** Reading the runs' counts again waits this long after a decision, so a burst of keys asks once. */
  refreshDelayMs?: number;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

export const createPredictionSession = (deps: PredictionSessionDeps): PredictionSession => {
  const { api, editor } = deps;
  const store = createStore<PredictionSessionState>(() => ({
    imageId: null,
    data: null,
    loading: false,
    error: null,
    filter: EMPTY_FILTER,
    local: new Map(),
    focusId: null,
    runs: new Map(),
  }));
  const get = () => store.getState();
  let seq = 0;
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /**
   * Predictions that were shapes here at some point: one no longer a shape (its acceptance undone, or
   * the shape deleted) is rejected on the server once that delete is saved, so accepting it again
   * reopens it first.
   */
  const everTaken = new Set<number>();

  const load = async (imageId: number) => {
    const mine = ++seq;
    store.setState({ loading: true, error: null });
    try {
      const data = await api.imagePredictions(imageId);
      if (mine !== seq) return;
      const runs = new Map(get().runs);
      for (const r of data.runs) runs.set(r.id, r);
      store.setState({ data, loading: false, local: new Map(), runs });
    } catch (err) {
      if (mine !== seq) return;
      store.setState({ loading: false, error: `Predictions not shown: ${messageOf(err)}` });
    }
  };

  const context = (s: EditorState): LayerContext => ({
    filter: get().filter,
    local: get().local,
    taken: takenOf(s),
    hiddenLabels: s.hiddenLabels,
  });
  let takenCache: { shapes: EditorState["doc"]["shapes"]; ids: Set<number> } | null = null;
  const takenOf = (s: EditorState) => {
    if (takenCache?.shapes !== s.doc.shapes) {
      const ids = takenIds(s.doc.shapes.values());
      // The same set while its ids stay the same: an edit of another shape draws no prediction again.
      const old = takenCache?.ids;
      const same = old !== undefined && old.size === ids.size && [...ids].every((id) => old.has(id));
      takenCache = { shapes: s.doc.shapes, ids: same && old ? old : ids };
      for (const id of ids) everTaken.add(id);
    }
    return takenCache.ids;
  };

  let visibleCache: { key: unknown[]; out: ShapePrediction[] } | null = null;
  const visible = (): ShapePrediction[] => {
    const s = editor.getState();
    const st = get();
    const key = [st.data, st.filter, st.local, takenOf(s), s.hiddenLabels, s.image?.id];
    if (visibleCache?.key.every((k, i) => k === key[i])) return visibleCache.out;
    // The data of another image (the next one is loading) draws nothing.
    const data = st.data && st.data.imageId === s.image?.id ? st.data : null;
    const out = data ? visibleShapes(data.predictions, context(s)) : [];
    visibleCache = { key, out };
    return out;
  };

  const byId = (id: number): Prediction | null => get().data?.predictions.find((p) => p.id === id) ?? null;

  const focused = (): ShapePrediction | null => {
    const id = get().focusId;
    return id === null ? null : (visible().find((p) => p.id === id) ?? null);
  };

  const focus = (id: number | null, opts: { centre?: boolean } = {}) => {
    store.setState({ focusId: id });
    if (id === null) return;
    // One thing picked at a time: the prediction, not a shape. Unconditionally: inside a key's batch
    // the editor's state read here is the one before the key (a shape the key just added is selected).
    editor.select([]);
    const p = byId(id);
    if (opts.centre && p?.geometry) {
      const s = editor.getState();
      editor.setViewport(
        focusViewport(s.viewport, geometryBounds(p.geometry), s.stageSize, editor.zoomRange()),
      );
    }
  };

  const scheduleRefresh = () => {
    if (refreshTimer !== null) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void refreshRuns();
    }, deps.refreshDelayMs ?? 1500);
  };

  const refreshRuns = async () => {
    const ids = get().data?.runs.map((r) => r.id) ?? [];
    try {
      const fresh = await Promise.all(ids.map((id) => api.run(id)));
      const runs = new Map(get().runs);
      for (const r of fresh) runs.set(r.id, r);
      store.setState({ runs });
    } catch {
      // The counts stay as they were; the next decision asks again.
    }
  };

  /** After a decision on `decided`, the next prediction by score is focused (the keyboard flow). */
  const advanceFrom = (order: readonly ShapePrediction[], decided: number) => {
    const at = order.findIndex((p) => p.id === decided);
    const rest = order.filter((p) => p.id !== decided);
    const next = rest[Math.min(Math.max(at, 0), rest.length - 1)] ?? null;
    return next;
  };

  const setLocal = (ids: readonly number[], state: PredictionState | null) => {
    const local = new Map(get().local);
    for (const id of ids) {
      if (state === null) local.delete(id);
      else local.set(id, state);
    }
    store.setState({ local });
  };

  const sendDecision = async (body: PredictionDecisions, quiet = false): Promise<boolean> => {
    const imageId = get().data?.imageId;
    if (imageId === undefined) return false;
    try {
      const updated = await api.decide(imageId, body);
      const data = get().data;
      if (data && data.imageId === imageId) {
        const byIdNew = new Map(updated.map((p) => [p.id, p]));
        store.setState({
          data: { ...data, predictions: data.predictions.map((p) => byIdNew.get(p.id) ?? p) },
        });
        setLocal(
          updated.map((p) => p.id),
          null,
        );
      }
      scheduleRefresh();
      return true;
    } catch (err) {
      if (!quiet) deps.notify("error", `Prediction not updated: ${messageOf(err)}`);
      return false;
    }
  };

  const shapeOf = (p: ShapePrediction, labelId?: number): Shape => ({
    id: deps.newId(),
    labelId: labelId ?? p.labelId,
    geometry: p.geometry,
    predictionId: p.id,
  });

  /**
   * An accept's history effect. Its undo deletes the shapes (the server then rejects them); its redo
   * adds them back, so they are reopened first. The accept itself has opened them already.
   */
  const acceptEffect = (ids: readonly number[], label: string) => {
    for (const id of ids) everTaken.add(id);
    let first = true;
    return {
      label,
      apply: () => {
        if (first) first = false;
        else reopenUndone(ids);
        scheduleRefresh();
      },
      revert: scheduleRefresh,
    };
  };

  /** Predictions that were shapes here before: reopened on the server (after the saves) before they are accepted again. */
  const reopenUndone = (ids: readonly number[]) => {
    const again = ids.filter((id) => everTaken.has(id));
    if (again.length === 0) return;
    deps.flushSaves();
    // Quiet: a prediction still pending there (its delete not saved) has nothing to reopen.
    void sendDecision({ reopen: again }, true);
  };

  const accept = (id?: number, labelId?: number): boolean => {
    const order = visible();
    const target = id ?? get().focusId;
    const p = order.find((x) => x.id === target);
    if (!p) return false;
    if (labelId !== undefined) {
      const label = editor.getState().labels.find((l) => l.id === labelId);
      if (!label?.shapeTypes.includes(p.geometry.type)) {
        deps.notify("error", `Not accepted: label "${label?.name ?? labelId}" does not allow this shape.`);
        return false;
      }
    }
    reopenUndone([p.id]);
    const shape = shapeOf(p, labelId);
    const ok = editor.addShapes([shape], {
      effect: acceptEffect([p.id], `accepted prediction ${formatScore(p.score)}`),
    });
    if (!ok) return false;
    const next = advanceFrom(order, p.id);
    // Relabelled (edited): the new shape stays picked to go on editing; else on to the next prediction.
    if (labelId === undefined && next) focus(next.id, { centre: true });
    else store.setState({ focusId: null });
    return true;
  };

  const reject = async (id?: number): Promise<boolean> => {
    const order = visible();
    const target = id ?? get().focusId;
    const p = target === undefined || target === null ? null : byId(target);
    if (!p || !isOpen(p, context(editor.getState()))) return false;
    setLocal([p.id], "rejected");
    const next = isShapePrediction(p) ? advanceFrom(order, p.id) : null;
    if (next) focus(next.id, { centre: true });
    else if (get().focusId === p.id) store.setState({ focusId: null });
    const ok = await sendDecision({ reject: [p.id] });
    if (!ok) {
      setLocal([p.id], null);
      return false;
    }
    editor.recordEffect({
      label: `rejected prediction ${formatScore(p.score)}`,
      apply: () => {
        setLocal([p.id], "rejected");
        void sendDecision({ reject: [p.id] });
      },
      revert: () => {
        setLocal([p.id], "pending");
        void sendDecision({ reopen: [p.id] });
      },
    });
    return true;
  };

  const acceptAllVisible = (): number => {
    const order = visible();
    if (order.length === 0) return 0;
    reopenUndone(order.map((p) => p.id));
    const shapes = order.map((p) => shapeOf(p));
    const ok = editor.addShapes(shapes, {
      effect: acceptEffect(
        order.map((p) => p.id),
        plural(order.length, "accepted prediction"),
      ),
    });
    if (!ok) return 0;
    store.setState({ focusId: null });
    deps.notify("info", `Accepted ${plural(order.length, "prediction")}.`);
    return order.length;
  };

  const acceptTag = async (id: number): Promise<boolean> => {
    const p = byId(id);
    if (!p || p.geometry !== null) return false;
    // The server adds the tag to the saved set: this device's edits go first.
    deps.flushSaves();
    const ok = await sendDecision({ acceptTags: [id] });
    if (ok) deps.reloadAnnotations();
    return ok;
  };

  const setFilter = (patch: Partial<PredictionFilter>) => {
    store.setState({ filter: { ...get().filter, ...patch } });
    // A focused prediction the slider hides is let go.
    const f = get().focusId;
    if (f !== null && !visible().some((p) => p.id === f)) store.setState({ focusId: null });
  };

  // Picking a shape lets the prediction go (one thing picked at a time).
  const offEditor = editor.store.subscribe((s, prev) => {
    if (s.selection !== prev.selection && s.selection.size > 0 && get().focusId !== null)
      store.setState({ focusId: null });
    if (s.image?.id !== prev.image?.id && get().focusId !== null) store.setState({ focusId: null });
  });

  /** A press on the focused prediction, waiting to see whether it becomes a drag. */
  let pressed: { screen: ScreenPoint; id: number } | null = null;
  const pointer: PredictionPointer = {
    down(screen, button) {
      pressed = null;
      const s = editor.getState();
      if (button !== 0 || s.tool.id !== "select" || s.tool.state !== "idle" || s.readOnly) return false;
      const p = screenToImage(s.viewport, screen);
      // The editor's own shapes (and their handles) come first.
      if (editor.pressTarget(p) !== null) return false;
      const f = focused();
      const tol = HANDLE_TOLERANCE_PX / s.viewport.scale;
      if (f && predictionAt([f], p.x, p.y, tol)) {
        pressed = { screen, id: f.id };
        return true;
      }
      const hit = predictionAt(visible(), p.x, p.y, 0);
      if (!hit) {
        if (get().focusId !== null) store.setState({ focusId: null });
        return false;
      }
      focus(hit.id);
      return true;
    },
    move(screen) {
      const at = pressed;
      if (!at) return false;
      if (Math.hypot(screen.x - at.screen.x, screen.y - at.screen.y) < DRAG_THRESHOLD_PX) return true;
      pressed = null;
      // The drag edits the prediction: it becomes a shape (accepted), which the editor's press then
      // moves or resizes from where the button went down; the save makes it "edited".
      const p = visible().find((x) => x.id === at.id);
      if (!p) return true;
      reopenUndone([p.id]);
      const ok = editor.addShapes([shapeOf(p)], {
        effect: acceptEffect([p.id], `accepted prediction ${formatScore(p.score)}`),
      });
      store.setState({ focusId: null });
      if (!ok) return true;
      const mods = { shift: false, alt: false, ctrl: false };
      editor.dispatch({ type: "pointerDown", screen: at.screen, button: 0, ...mods });
      editor.dispatch({ type: "pointerMove", screen, button: 0, ...mods });
      return true;
    },
    up() {
      if (!pressed) return false;
      pressed = null;
      return true;
    },
  };

  return {
    store,
    show(imageId) {
      if (get().imageId === imageId && get().data?.imageId === imageId) return;
      store.setState({ imageId, focusId: null, local: new Map() });
      void load(imageId);
    },
    reload: async () => {
      const id = get().imageId;
      if (id !== null) await load(id);
    },
    context,
    visible,
    suggestedTags() {
      const s = editor.getState();
      const data = get().data;
      if (!data || data.imageId !== s.image?.id) return [];
      return suggestedTags(data.predictions, context(s), s.doc.tags);
    },
    focused,
    focus,
    step(dir) {
      const next = stepPrediction(visible(), get().focusId, dir);
      if (next && isShapePrediction(next)) {
        focus(next.id, { centre: true });
        return next;
      }
      return null;
    },
    accept,
    reject,
    acceptAllVisible,
    acceptTag,
    setRunMin(runId, score) {
      const runMin = new Map(get().filter.runMin);
      runMin.set(runId, score);
      setFilter({ runMin });
    },
    setLabelMin(runId, labelId, score) {
      const labelMin = new Map(get().filter.labelMin);
      if (score === null) labelMin.delete(labelKey(runId, labelId));
      else labelMin.set(labelKey(runId, labelId), score);
      setFilter({ labelMin });
    },
    toggleRun(runId) {
      const hiddenRuns = new Set(get().filter.hiddenRuns);
      if (!hiddenRuns.delete(runId)) hiddenRuns.add(runId);
      setFilter({ hiddenRuns });
    },
    refreshRuns,
    pointer,
    dispose() {
      offEditor();
      if (refreshTimer !== null) clearTimeout(refreshTimer);
      seq++;
    },
  };
};

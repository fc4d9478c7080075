import {
  type Bounds,
  boundsContain,
  centreOn,
  clamp,
  fitViewport,
  GridIndex,
  geometryEquals,
  IDENTITY_VIEWPORT,
  type ImagePoint,
  imagePoint,
  nearestVertex,
  type ScreenPoint,
  type Size,
  screenPoint,
  screenToImage,
  type Viewport,
  visibleImageBounds,
  zoomAt,
} from "@labelbench/geometry";
import {
  type AnnotationInput,
  type AttributeValues,
  attributeValueProblem,
  conformAttributeValues,
  defaultAttributeValues,
  formatCombo,
  type Label,
  orderedAttributeValues,
  type ShapeType,
  sameAttributeValues,
} from "@labelbench/schema";
import { createStore } from "zustand/vanilla";
import { attributeCommands, builtinCommands, LABEL_COMMAND_PREFIX, labelCommands } from "./commands.js";
import { type DocDiff, History, isEmptyDocDiff, survivingIds, touchedIds } from "./history.js";
import { applyKeymap, commandsMeet, type UserKeymap } from "./keymap.js";
import { type KeyDownEvent, keysOverlap, matchesBinding, matchesKeys, parseKeySequence } from "./keys.js";
import { focusViewport, steppedObject } from "./object-focus.js";
import { cursorKindFor } from "./pointer-cursor.js";
import {
  BOX_HANDLES,
  boxHandlePosition,
  clampDelta,
  geometryArea,
  geometryContains,
  HANDLE_TOLERANCE_PX,
  HIT_TOLERANCE_PX,
  shapeBounds,
  translateGeometry,
  unionOfBounds,
  validateGeometry,
} from "./shape-geometry.js";
import { type RankedShape, ShapeMap } from "./shape-map.js";
import { type BoxState, boxTool } from "./tools/box-tool.js";
import { type IssueState, issueTool } from "./tools/issue-tool.js";
import { type PanState, panTool } from "./tools/pan-tool.js";
import { type PolygonState, polygonTool } from "./tools/polygon-tool.js";
import { type SelectState, selectTool } from "./tools/select-tool.js";
import type { HandleHit, ShapeChange, Tool, ToolContext, ToolEffect, ToolEvent } from "./tools/tool.js";
import type {
  AnnotationSetLike,
  Clipboard,
  Command,
  CreateEditorOptions,
  Editor,
  EditorEvent,
  EditorMetrics,
  EditorState,
  HistoryEffect,
  ImageInfo,
  LoadInput,
  PressTarget,
  Shape,
  ShapeId,
  ToolId,
} from "./types.js";

/** Default clipboard: one object for every editor created without its own, so copy/paste crosses images. */
export const sharedClipboard: Clipboard = { shapes: [], sourceImageId: null };

export const MAX_ZOOM = 64;
/** Offset (image px) of each paste into the image the shapes were copied from. */
export const PASTE_OFFSET = 10;

const SHAPE_NOUN: Record<ShapeType, string> = { box: "boxes", polygon: "polygons" };

interface ToolStates {
  select: SelectState;
  box: BoxState;
  polygon: PolygonState;
  pan: PanState;
  issue: IssueState;
}

const TOOLS: { [K in ToolId]: Tool<ToolStates[K]> } = {
  select: selectTool,
  box: boxTool,
  polygon: polygonTool,
  pan: panTool,
  issue: issueTool,
};

const initialToolStates = (): ToolStates => ({
  select: selectTool.initial,
  box: boxTool.initial,
  polygon: polygonTool.initial,
  pan: panTool.initial,
  issue: issueTool.initial,
});

const defaultIdFactory = (): (() => string) => {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return () => c.randomUUID?.() ?? fallbackId();
  return fallbackId;
};

let fallbackCounter = 0;
const fallbackId = () =>
  `s${Date.now().toString(36)}${(fallbackCounter++).toString(36)}${Math.random().toString(36).slice(2, 10)}`;

/** Grid cells of ~1/64 of the image side keep a few typical shapes per cell on dense images. */
const cellSizeFor = (image: ImageInfo | null) =>
  image ? Math.max(16, Math.ceil(Math.max(image.width, image.height) / 64)) : 64;

const initialState = (): EditorState => ({
  image: null,
  labels: [],
  doc: { shapes: ShapeMap.empty, tags: [] },
  docVersion: 0,
  selection: new Set(),
  activeLabelId: null,
  tool: { id: "select", state: "idle" },
  preview: null,
  hiddenShapes: new Set(),
  lockedShapes: new Set(),
  hiddenLabels: new Set(),
  lockedLabels: new Set(),
  viewport: IDENTITY_VIEWPORT,
  stageSize: { width: 0, height: 0 },
  cursor: null,
  canUndo: false,
  canRedo: false,
  issueDraft: null,
  hoverId: null,
  pointerTarget: null,
  cursorKind: "default",
  mode: "annotate",
  readOnly: false,
  message: null,
  messageSeq: 0,
  pendingChord: null,
});

/** The host's timers (browser or node): the package compiles without DOM or node types. */
const hostTimers = globalThis as unknown as {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

/** What a refused edit says in read-only mode. */
export const READ_ONLY_MESSAGE = "Read-only: press E to fix";

const toggledSet = <T>(s: ReadonlySet<T>, v: T): Set<T> => {
  const next = new Set(s);
  if (next.has(v)) next.delete(v);
  else next.add(v);
  return next;
};

export function createEditor(opts: CreateEditorOptions = {}): Editor {
  const clipboard = opts.clipboard ?? sharedClipboard;
  const newId = opts.idFactory ?? defaultIdFactory();
  const store = createStore<EditorState>()(initialState);
  const history = new History();
  const metrics: EditorMetrics = { lastHitTestCandidates: 0, hitTests: 0 };
  /** The commands as registered (default keys), in registration (dispatch) order. */
  const registered = new Map<string, Command>();
  /** The same commands with the user's keys: what dispatch matches and the overlay lists. */
  const commands = new Map<string, Command>();
  let keymap: UserKeymap = {};
  const chordTimeoutMs = opts.chordTimeoutMs ?? 1500;
  let chordTimer: unknown = null;

  let shapes: ShapeMap = ShapeMap.empty;
  let index = new GridIndex<ShapeId>(cellSizeFor(null));
  let toolId: ToolId = "select";
  let toolStates = initialToolStates();
  /** Space-held or middle-button panning on top of the toolbar tool, whose gesture is kept meanwhile. */
  let panOverride: { reason: "space" | "middle"; state: PanState } | null = null;
  let spaceHeld = false;
  let fitted = true;
  let pasteCount = 0;
  let issueDraftSeq = 0;

  // Effects of one event are gathered into one store update, so subscribers never see a half-applied
  // gesture (e.g. the preview gone but the commit not yet in the document).
  let pending: Partial<EditorState> | null = null;
  /** The store state with the pending patch applied; cached because tools query it many times per event. */
  let merged: EditorState | null = null;
  const set = (patch: Partial<EditorState>): void => {
    // Outside an event, a change is a batch of its own (the pointer target follows it, see batch).
    if (!pending) {
      batch(() => set(patch));
      return;
    }
    merged = null;
    Object.assign(pending, patch);
  };
  const cur = (): EditorState => {
    if (!pending) return store.getState();
    merged ??= { ...store.getState(), ...pending };
    return merged;
  };
  const batch = <T>(fn: () => T): T => {
    if (pending) return fn();
    pending = {};
    try {
      const r = fn();
      refreshPointerTarget();
      return r;
    } finally {
      const patch = pending;
      pending = null;
      merged = null;
      if (Object.keys(patch).length > 0) store.setState(patch);
    }
  };

  const labelOf = (id: number): Label | undefined => cur().labels.find((l) => l.id === id);

  const isShapeHidden = (id: ShapeId, s: EditorState = cur()): boolean => {
    if (s.hiddenShapes.has(id)) return true;
    const shape = shapes.get(id);
    return shape !== undefined && s.hiddenLabels.has(shape.labelId);
  };
  const isShapeLocked = (id: ShapeId, s: EditorState = cur()): boolean => {
    if (s.lockedShapes.has(id)) return true;
    const shape = shapes.get(id);
    return shape !== undefined && s.lockedLabels.has(shape.labelId);
  };
  const isEditable = (id: ShapeId, s: EditorState) => !isShapeHidden(id, s) && !isShapeLocked(id, s);

  const imageSize = (): Size => cur().image ?? { width: 0, height: 0 };
  const pxToImage = () => 1 / cur().viewport.scale;

  const message = (text: string) => set({ message: text, messageSeq: cur().messageSeq + 1 });
  const refuse = (text: string): false => {
    message(text);
    return false;
  };

  // ---- document: every change goes through applyDiff, which keeps the spatial index in step ----

  const rebuildIndex = () => {
    index = new GridIndex<ShapeId>(cellSizeFor(cur().image));
    for (const s of shapes.values()) index.insert(s.id, shapeBounds(s));
  };

  const applyDiff = (d: DocDiff) => {
    const put: RankedShape[] = [...d.added];
    for (const [, after] of d.updated) {
      put.push({ shape: after, rank: shapes.rankOf(after.id) ?? shapes.maxRank + 1 });
    }
    const removed = d.removed.map((e) => e.shape.id);
    shapes = shapes.apply({ put, remove: removed });
    for (const id of removed) index.remove(id);
    for (const e of put) index.insert(e.shape.id, shapeBounds(e.shape));
    const s = cur();
    const patch: Partial<EditorState> = {
      doc: { shapes, tags: d.tags ? d.tags[1] : s.doc.tags },
      docVersion: s.docVersion + 1,
    };
    if (removed.some((id) => s.selection.has(id))) {
      patch.selection = new Set([...s.selection].filter((id) => shapes.has(id)));
    }
    if (s.hoverId !== null && !shapes.has(s.hoverId)) patch.hoverId = null;
    set(patch);
  };

  const syncHistoryFlags = () => set({ canUndo: history.canUndo, canRedo: history.canRedo });

  /** Validates a change, records it as one history entry and applies it. False (with a message) when refused. */
  const commit = (change: ShapeChange, select?: ShapeId[], effect?: HistoryEffect): boolean => {
    if (cur().readOnly) return refuse(READ_ONLY_MESSAGE);
    const size = imageSize();
    const clean = (s: Shape): Shape | string => {
      const v = validateGeometry(s.geometry, size, 0);
      return v.ok ? { ...s, geometry: v.geometry } : v.message;
    };
    const added: RankedShape[] = [];
    const updated: [Shape, Shape][] = [];
    const removed: RankedShape[] = [];
    let rank = shapes.maxRank;
    for (const s of change.add ?? []) {
      const c = clean(withDefaults(s));
      if (typeof c === "string") return refuse(c);
      if (shapes.has(c.id)) throw new Error(`shape id ${c.id} already exists`);
      added.push({ shape: c, rank: ++rank });
    }
    for (const s of change.update ?? []) {
      const before = shapes.get(s.id);
      if (!before) continue;
      const c = clean(s);
      if (typeof c === "string") return refuse(c);
      if (
        c.labelId !== before.labelId ||
        !geometryEquals(c.geometry, before.geometry) ||
        !sameAttributeValues(c.attributes, before.attributes)
      )
        updated.push([before, c]);
    }
    for (const id of change.remove ?? []) {
      const e = shapes.ranked(id);
      if (e) removed.push(e);
    }
    const diff: DocDiff = effect ? { added, updated, removed, effect } : { added, updated, removed };
    if (!isEmptyDocDiff(diff)) {
      history.record(diff);
      applyDiff(diff);
      syncHistoryFlags();
      effect?.apply();
    }
    if (select) set({ selection: new Set(select.filter((id) => shapes.has(id))) });
    return true;
  };

  const commitTags = (after: readonly number[]) => {
    if (cur().readOnly) {
      refuse(READ_ONLY_MESSAGE);
      return;
    }
    const before = cur().doc.tags;
    const diff: DocDiff = { added: [], updated: [], removed: [], tags: [before, after] };
    history.record(diff);
    applyDiff(diff);
    syncHistoryFlags();
  };

  const shapesFromSet = (set: AnnotationSetLike): Shape[] =>
    set.annotations.map((a) => ({
      id: a.id ?? newId(),
      labelId: a.labelId,
      geometry: a.geometry,
      ...(a.predictionId === undefined ? {} : { predictionId: a.predictionId }),
      ...(a.attributes && Object.keys(a.attributes).length > 0 ? { attributes: a.attributes } : {}),
    }));

  /** A shape with `values`, or without the field when there are none (as the server sends it). */
  const withValues = (s: Shape, values: AttributeValues): Shape => {
    const { attributes: _, ...rest } = s;
    return Object.keys(values).length > 0 ? { ...rest, attributes: values } : rest;
  };
  /** A new shape (drawn, or pasted without values) starts with its label's defaults. */
  const withDefaults = (s: Shape): Shape => {
    if (s.attributes) return s;
    const defs = labelOf(s.labelId)?.attributes ?? [];
    return defs.length === 0 ? s : withValues(s, defaultAttributeValues(defs));
  };

  // ---- tools ----

  const currentMachine = (): { id: ToolId; state: { name: string } } =>
    panOverride ? { id: "pan", state: panOverride.state } : { id: toolId, state: toolStates[toolId] };

  const toolPathPatch = (): Partial<EditorState> => {
    const m = currentMachine();
    const s = cur().tool;
    return s.id === m.id && s.state === m.state.name ? {} : { tool: { id: m.id, state: m.state.name } };
  };

  const drawingLabel: ToolContext["drawingLabel"] = (type) => {
    const s = cur();
    if (s.labels.length === 0) return { ok: false, message: "Create a label first: shapes need a label" };
    const label = s.activeLabelId === null ? undefined : labelOf(s.activeLabelId);
    if (!label) return { ok: false, message: "Choose a label first" };
    if (!label.shapeTypes.includes(type)) {
      return { ok: false, message: `Label '${label.name}' does not allow ${SHAPE_NOUN[type]}` };
    }
    if (s.hiddenLabels.has(label.id))
      return { ok: false, message: `Label '${label.name}' is hidden: show it to draw` };
    if (s.lockedLabels.has(label.id))
      return { ok: false, message: `Label '${label.name}' is locked: unlock it to draw` };
    return { ok: true, labelId: label.id };
  };

  /**
   * A drawing tool that cannot draw with the active label says so when the tool or the label is
   * picked, not only at the next press (which draws nothing).
   */
  const sayWhyNoDrawing = () => {
    if (toolId !== "box" && toolId !== "polygon") return;
    const label = drawingLabel(toolId);
    if (!label.ok) message(label.message);
  };

  const handleAt = (p: ImagePoint): HandleHit | null => {
    const s = cur();
    // Nothing to resize or reshape while looking only.
    if (s.readOnly) return null;
    const tol = HANDLE_TOLERANCE_PX / s.viewport.scale;
    let best: HandleHit | null = null;
    let bestD = Number.POSITIVE_INFINITY;
    // Handles lie on a shape's bounds: with a big selection (select all) the index finds the few near p.
    const ids =
      s.selection.size > 64
        ? index
            .search({ minX: p.x - tol, minY: p.y - tol, maxX: p.x + tol, maxY: p.y + tol })
            .filter((id) => s.selection.has(id))
        : s.selection;
    for (const id of ids) {
      const shape = shapes.get(id);
      if (!shape || !isEditable(id, s)) continue;
      const g = shape.geometry;
      if (g.type === "box") {
        // Small boxes get small handle zones so their middle can still be grabbed to move them.
        const t = Math.min(tol, Math.min(g.width, g.height) / 4);
        for (const h of BOX_HANDLES) {
          const [hx, hy] = boxHandlePosition(g, h);
          const d = Math.hypot(hx - p.x, hy - p.y);
          if (d <= t && d < bestD) {
            bestD = d;
            best = { kind: "box", shapeId: id, handle: h };
          }
        }
      } else {
        const i = nearestVertex(p.x, p.y, g.points, tol);
        const v = g.points[i];
        if (v) {
          const d = Math.hypot(v[0] - p.x, v[1] - p.y);
          if (d < bestD) {
            bestD = d;
            best = { kind: "vertex", shapeId: id, index: i };
          }
        }
      }
    }
    return best;
  };

  /**
   * The last hit test and what it depended on: the pointer target (refreshPointerTarget) asks again
   * where the select tool's hover just asked, in the same event, and gets the answer without a search.
   */
  let lastHit: {
    x: number;
    y: number;
    tolerancePx: number;
    lockedToo: boolean;
    scale: number;
    shapes: ShapeMap;
    hiddenShapes: ReadonlySet<ShapeId>;
    lockedShapes: ReadonlySet<ShapeId>;
    hiddenLabels: ReadonlySet<number>;
    lockedLabels: ReadonlySet<number>;
    hit: ShapeId | null;
  } | null = null;

  /** `lockedToo`: locked shapes count as well (an issue may be pinned on one); hidden ones never. */
  const hitTest = (p: ImagePoint, tolerancePx = HIT_TOLERANCE_PX, lockedToo = false): ShapeId | null => {
    const s = cur();
    const m = lastHit;
    if (
      m &&
      m.x === p.x &&
      m.y === p.y &&
      m.tolerancePx === tolerancePx &&
      m.lockedToo === lockedToo &&
      m.scale === s.viewport.scale &&
      m.shapes === shapes &&
      m.hiddenShapes === s.hiddenShapes &&
      m.lockedShapes === s.lockedShapes &&
      m.hiddenLabels === s.hiddenLabels &&
      m.lockedLabels === s.lockedLabels
    )
      return m.hit;
    const hit = searchHit(p, tolerancePx, s, lockedToo);
    lastHit = {
      x: p.x,
      y: p.y,
      tolerancePx,
      lockedToo,
      scale: s.viewport.scale,
      shapes,
      hiddenShapes: s.hiddenShapes,
      lockedShapes: s.lockedShapes,
      hiddenLabels: s.hiddenLabels,
      lockedLabels: s.lockedLabels,
      hit,
    };
    return hit;
  };

  const searchHit = (
    p: ImagePoint,
    tolerancePx: number,
    s: EditorState,
    lockedToo: boolean,
  ): ShapeId | null => {
    const tol = tolerancePx / s.viewport.scale;
    const candidates = index.search({ minX: p.x - tol, minY: p.y - tol, maxX: p.x + tol, maxY: p.y + tol });
    metrics.hitTests++;
    metrics.lastHitTestCandidates = candidates.length;
    let best: ShapeId | null = null;
    let bestArea = Number.POSITIVE_INFINITY;
    let bestRank = -1;
    for (const id of candidates) {
      const e = shapes.ranked(id);
      if (!e || (lockedToo ? isShapeHidden(id, s) : !isEditable(id, s))) continue;
      if (!geometryContains(e.shape.geometry, p.x, p.y, tol)) continue;
      const area = geometryArea(e.shape.geometry);
      // Smallest wins so a small object on top of a big one stays clickable; ties go to the topmost.
      if (area < bestArea || (area === bestArea && e.rank > bestRank)) {
        best = id;
        bestArea = area;
        bestRank = e.rank;
      }
    }
    return best;
  };

  /** What a press at `p` would do with the select or issue tool at rest; null otherwise or over nothing. */
  const pressTarget = (p: ImagePoint): PressTarget | null => {
    const s = cur();
    if (s.tool.id === "issue" && s.tool.state === "idle") {
      // The issue tool's press pins the shape it finds here (tools/issue-tool.ts, ctx.shapeAt).
      const shapeId = hitTest(p, HIT_TOLERANCE_PX, true);
      return shapeId === null ? null : { kind: "pin", shapeId };
    }
    if (s.tool.id !== "select" || s.tool.state !== "idle") return null;
    // The order of the select tool's press: a handle of a selected shape first, then the shape under it.
    const handle = handleAt(p);
    if (handle)
      return handle.kind === "box"
        ? { kind: "resize", shapeId: handle.shapeId, handle: handle.handle }
        : { kind: "vertex", shapeId: handle.shapeId, index: handle.index };
    const hit = hitTest(p);
    if (hit === null) return null;
    return s.selection.has(hit) && !s.readOnly
      ? { kind: "move", shapeId: hit }
      : { kind: "select", shapeId: hit };
  };

  const sameTarget = (a: PressTarget | null, b: PressTarget | null): boolean => {
    if (a === null || b === null) return a === b;
    if (a.kind !== b.kind || a.shapeId !== b.shapeId) return false;
    if (a.kind === "resize" && b.kind === "resize") return a.handle === b.handle;
    if (a.kind === "vertex" && b.kind === "vertex") return a.index === b.index;
    return true;
  };

  /**
   * Brings `pointerTarget` and `cursorKind` up to date with the event's changes, before the store
   * publishes them (end of batch): only when something they depend on changed, so a pan or a
   * gesture's preview costs no hit test.
   */
  const refreshPointerTarget = () => {
    if (!pending) return;
    const before = store.getState();
    const s = cur();
    const changed =
      s.tool !== before.tool ||
      s.cursor !== before.cursor ||
      s.selection !== before.selection ||
      s.doc !== before.doc ||
      s.hiddenShapes !== before.hiddenShapes ||
      s.lockedShapes !== before.lockedShapes ||
      s.hiddenLabels !== before.hiddenLabels ||
      s.lockedLabels !== before.lockedLabels ||
      s.readOnly !== before.readOnly ||
      s.viewport.scale !== before.viewport.scale;
    if (!changed) return;
    const target = s.cursor ? pressTarget(s.cursor) : null;
    const select = toolStates.select;
    const resizing = !panOverride && toolId === "select" && select.name === "resizing" ? select.handle : null;
    const cursorKind = cursorKindFor(s.tool, resizing, target, s.cursor !== null, s.cursorKind);
    const patch: Partial<EditorState> = {};
    if (!sameTarget(target, s.pointerTarget)) patch.pointerTarget = target;
    if (cursorKind !== s.cursorKind) patch.cursorKind = cursorKind;
    if (patch.pointerTarget !== undefined || patch.cursorKind !== undefined) set(patch);
  };

  const toolContext = (): ToolContext => {
    const s = cur();
    return {
      state: s,
      imageSize: imageSize(),
      pxToImage: pxToImage(),
      shape: (id) => shapes.get(id),
      hitTest: (p) => hitTest(p),
      shapeAt: (p) => hitTest(p, HIT_TOLERANCE_PX, true),
      handleAt,
      editableSelection: () =>
        s.readOnly
          ? []
          : [...s.selection].flatMap((id) => {
              const shape = shapes.get(id);
              return shape && isEditable(id, s) ? [shape] : [];
            }),
      shapesInside: (b: Bounds) =>
        index.search(b).filter((id) => {
          const bb = index.bounds(id);
          return bb !== undefined && isEditable(id, s) && boundsContain(b, bb);
        }),
      drawingLabel,
      validate: (g, minBoxSide) => validateGeometry(g, imageSize(), minBoxSide),
      newId,
    };
  };

  const applyEffects = (effects: readonly ToolEffect[]) => {
    for (const e of effects) {
      switch (e.type) {
        case "preview":
          set({ preview: e.preview });
          break;
        case "select":
          set({ selection: new Set(e.ids) });
          break;
        case "hover":
          if (cur().hoverId !== e.id) set({ hoverId: e.id });
          break;
        case "commit":
          commit(e.change, e.select);
          break;
        case "message":
          message(e.text);
          break;
        case "issueDraft":
          set({ issueDraft: { anchor: e.anchor, seq: ++issueDraftSeq } });
          break;
        case "pan": {
          const v = cur().viewport;
          set({ viewport: { ...v, offsetX: v.offsetX + e.dx, offsetY: v.offsetY + e.dy } });
          fitted = false;
          break;
        }
      }
    }
  };

  /** Feeds an event to the machine currently receiving events; false when it did not handle it. */
  const runTool = (event: ToolEvent): boolean => {
    const ctx = toolContext();
    let handled: boolean;
    if (panOverride) {
      const r = panTool.onEvent(panOverride.state, event, ctx);
      handled = r !== null;
      if (r) {
        panOverride = { ...panOverride, state: r.state };
        applyEffects(r.effects);
      }
    } else {
      handled = stepTool(toolId, event, ctx);
    }
    set(toolPathPatch());
    // A pan drags the image under the pointer: no shape is "hovered" meanwhile, and a highlight
    // would have to be redrawn on every frame of the pan.
    const m = currentMachine();
    if (m.id === "pan" && m.state.name === "panning" && cur().hoverId !== null) set({ hoverId: null });
    return handled;
  };

  const stepTool = <K extends ToolId>(id: K, event: ToolEvent, ctx: ToolContext): boolean => {
    const tool = TOOLS[id] as Tool<ToolStates[K]>;
    const r = tool.onEvent(toolStates[id], event, ctx);
    if (!r) return false;
    toolStates = { ...toolStates, [id]: r.state };
    applyEffects(r.effects);
    return true;
  };

  const cancelGesture = () => {
    if (panOverride && panOverride.state.name !== "idle")
      panOverride = { ...panOverride, state: { name: "idle" } };
    if (toolStates[toolId].name !== "idle") stepTool(toolId, { type: "cancel" }, toolContext());
    set({ preview: null, ...toolPathPatch() });
  };

  /**
   * A drag in progress (moving, resizing, drawing a box) owns the pointer until it is released, so a
   * temporary pan may only start between gestures, or between the clicks of a polygon.
   */
  const canTemporarilyPan = () => toolId === "polygon" || toolStates[toolId].name === "idle";

  const endPanOverride = () => {
    panOverride = null;
    set(toolPathPatch());
  };

  // ---- camera ----

  const fitScale = (): number => {
    const s = cur();
    if (!s.image || s.stageSize.width <= 0 || s.stageSize.height <= 0) return 1;
    return fitViewport(s.image, s.stageSize).scale;
  };
  const zoomRange = () => ({ min: Math.min(fitScale(), 1), max: MAX_ZOOM });
  const stageCentre = (): ScreenPoint => {
    const { width, height } = cur().stageSize;
    return screenPoint(width / 2, height / 2);
  };
  const zoomTo = (scale: number, anchor?: ScreenPoint) => {
    const { min, max } = zoomRange();
    const s = clamp(scale, min, max);
    set({ viewport: zoomAt(cur().viewport, anchor ?? stageCentre(), s) });
    fitted = false;
  };
  const fit = () => {
    const s = cur();
    if (!s.image || s.stageSize.width <= 0 || s.stageSize.height <= 0) return;
    set({ viewport: fitViewport(s.image, s.stageSize) });
    fitted = true;
  };

  // ---- labels ----

  const applyLabelHotkey = (ed: Editor, label: Label) => {
    const sel = cur().selection;
    // A tag-only label's key tags the whole image; it never labels a shape.
    if (label.scope === "tags") {
      ed.toggleTag(label.id);
      return;
    }
    if (sel.size > 0) ed.relabel([...sel], label.id);
    ed.setActiveLabel(label.id);
  };

  const syncLabelCommands = (labels: readonly Label[]) => {
    for (const id of [...registered.keys()]) if (id.startsWith(LABEL_COMMAND_PREFIX)) registered.delete(id);
    for (const c of labelCommands(labels, applyLabelHotkey)) registered.set(c.id, c);
    applyKeys();
  };

  // ---- keyboard ----

  /**
   * Refuses a command whose id or key is taken, so two commands never silently race for one key
   * (excalidraw only finds out at dispatch); `fallbackFor` names the commands it shares keys with.
   */
  /** Rebuilds the keys in effect from the registered commands and the user's keymap. */
  const applyKeys = () => {
    commands.clear();
    for (const c of applyKeymap([...registered.values()], keymap)) commands.set(c.id, c);
  };

  const addCommand = (c: Command) => {
    if (registered.has(c.id)) throw new Error(`command "${c.id}" is already registered`);
    // Defaults against defaults: a clash is a programming error. The user's keys are applied after
    // (applyKeymap), where their choice wins over a default instead of failing.
    for (const key of c.keys) {
      for (const other of registered.values()) {
        if (c.fallbackFor?.includes(other.id)) continue;
        if (!commandsMeet(c, other)) continue;
        const clash = other.keys.find((k) => keysOverlap(k, key));
        if (clash !== undefined) {
          throw new Error(
            `command "${c.id}" cannot take key "${key}": command "${other.id}" is already bound to "${clash}"`,
          );
        }
      }
    }
    registered.set(c.id, c);
    applyKeys();
  };

  const activeCommands = (): Command[] => {
    const mode = cur().mode;
    return [...commands.values()].filter((c) => (c.mode ?? mode) === mode);
  };

  const matchCommands = (e: KeyDownEvent): Command[] =>
    activeCommands().filter((c) => matchesKeys(c.keys, e));

  const endChord = () => {
    if (chordTimer !== null) hostTimers.clearTimeout(chordTimer);
    chordTimer = null;
    if (cur().pendingChord !== null) set({ pendingChord: null });
  };

  /** Commands whose chord starts with this press (their first step), in dispatch order. */
  const chordsStartingWith = (e: KeyDownEvent): Command[] =>
    activeCommands().filter((c) =>
      c.keys.some((k) => {
        const seq = parseKeySequence(k);
        return seq.length === 2 && matchesBinding(seq[0] as (typeof seq)[0], e);
      }),
    );

  /** The second key of a pending chord: runs the command it completes; any other key just ends the chord. */
  const finishChord = (first: string, e: KeyDownEvent): boolean => {
    endChord();
    if (e.key === "Escape" || e.code === "Escape") return true;
    for (const c of activeCommands()) {
      const done = c.keys.some((k) => {
        const seq = parseKeySequence(k);
        return (
          seq.length === 2 &&
          formatCombo(seq[0] as (typeof seq)[0]) === first &&
          matchesBinding(seq[1] as (typeof seq)[1], e)
        );
      });
      if (!done || (c.canRun && !c.canRun(editor))) continue;
      c.run(editor);
      return true;
    }
    const name = (code: string) => code.replace(/^(?:Key|Digit)/, "");
    message(`No shortcut is ${name(first.split("+").pop() ?? first)} then ${name(e.code || e.key)}`);
    return true;
  };

  const onKeyDown = (e: KeyDownEvent): boolean => {
    if (e.key === " " || e.code === "Space") {
      spaceHeld = true;
      if (!panOverride && canTemporarilyPan()) {
        panOverride = { reason: "space", state: { name: "idle" } };
        set(toolPathPatch());
      }
      return true;
    }
    if (
      !panOverride &&
      runTool({ type: "keyDown", key: e.key, shift: e.shift, ctrl: e.ctrl || e.meta === true, alt: e.alt })
    ) {
      return true;
    }
    const pending = cur().pendingChord;
    if (pending !== null) return finishChord(pending, e);
    for (const c of matchCommands(e)) {
      if (c.canRun && !c.canRun(editor)) continue;
      c.run(editor);
      return true;
    }
    const chords = chordsStartingWith(e);
    if (chords.length > 0 && !e.repeat) {
      const [first] = parseKeySequence(chords[0]?.keys.find((k) => parseKeySequence(k).length === 2) ?? "");
      if (first) {
        set({ pendingChord: formatCombo(first) });
        chordTimer = hostTimers.setTimeout(endChord, chordTimeoutMs);
        return true;
      }
    }
    return false;
  };

  const onKeyUp = (e: Extract<EditorEvent, { type: "keyUp" }>): boolean => {
    if (e.key !== " " && e.code !== "Space") return false;
    spaceHeld = false;
    // A pan in progress finishes on pointer-up; only an idle override ends with the key.
    if (panOverride?.reason === "space" && panOverride.state.name === "idle") endPanOverride();
    return true;
  };

  const onPointer = (e: Extract<EditorEvent, { screen: ScreenPoint; button: number }>): boolean => {
    const point = screenToImage(cur().viewport, e.screen);
    const tev: ToolEvent = {
      type: e.type,
      point,
      screen: e.screen,
      button: e.button,
      shift: e.shift,
      alt: e.alt,
      ctrl: e.ctrl,
    };
    if (e.type === "pointerDown") {
      if (cur().message !== null) set({ message: null });
      if (e.button === 1 && !panOverride && canTemporarilyPan())
        panOverride = { reason: "middle", state: { name: "idle" } };
    }
    const handled = runTool(tev);
    if (e.type === "pointerMove") {
      // Where the pointer is once the event is applied: a pan moves the image under it, and the
      // status bar must not change its text (a relayout and repaint) on every frame of a pan.
      const after = screenToImage(cur().viewport, e.screen);
      const was = cur().cursor;
      if (!was || was.x !== after.x || was.y !== after.y) set({ cursor: after });
    }
    if (e.type === "pointerUp" && panOverride && panOverride.state.name === "idle") {
      if (panOverride.reason === "middle" || !spaceHeld) endPanOverride();
    }
    return handled || e.type === "pointerMove";
  };

  // ---- the editor ----

  const editor: Editor = {
    store,
    getState: () => store.getState(),
    metrics,
    commands,

    load(input: LoadInput) {
      batch(() => {
        const prev = cur();
        history.clear();
        toolStates = initialToolStates();
        panOverride = spaceHeld ? { reason: "space", state: { name: "idle" } } : null;
        pasteCount = 0;
        shapes = ShapeMap.from(shapesFromSet(input.set));
        const labelIds = new Set(input.labels.map((l) => l.id));
        // Only a label shapes may take can be the one new shapes get.
        const drawable = new Set(input.labels.filter((l) => l.scope !== "tags").map((l) => l.id));
        set({
          image: { id: input.image.id, width: input.image.width, height: input.image.height },
          labels: input.labels,
          doc: { shapes, tags: [...input.set.tags] },
          selection: new Set(),
          activeLabelId:
            prev.activeLabelId !== null && drawable.has(prev.activeLabelId)
              ? prev.activeLabelId
              : (input.labels.find((l) => l.scope !== "tags")?.id ?? null),
          preview: null,
          hiddenShapes: new Set(),
          lockedShapes: new Set(),
          hiddenLabels: new Set([...prev.hiddenLabels].filter((id) => labelIds.has(id))),
          lockedLabels: new Set([...prev.lockedLabels].filter((id) => labelIds.has(id))),
          cursor: null,
          hoverId: null,
          issueDraft: null,
          message: null,
          canUndo: false,
          canRedo: false,
        });
        rebuildIndex();
        syncLabelCommands(input.labels);
        set(toolPathPatch());
        fit();
        fitted = true;
      });
    },

    replaceDocument(docSet, opts) {
      batch(() => {
        cancelGesture();
        const next = shapesFromSet(docSet);
        if (opts?.recordHistory) {
          const nextIds = new Set(next.map((s) => s.id));
          const change: ShapeChange = {
            add: next.filter((s) => !shapes.has(s.id)),
            update: next.filter((s) => shapes.has(s.id)),
            remove: [...shapes.keys()].filter((id) => !nextIds.has(id)),
          };
          const before = cur().doc.tags;
          const after = [...docSet.tags];
          const tagsChanged = before.length !== after.length || before.some((t, i) => t !== after[i]);
          if (!commit(change)) return;
          if (tagsChanged) commitTags(after);
          return;
        }
        history.clear();
        shapes = ShapeMap.from(next);
        rebuildIndex();
        const s = cur();
        set({
          doc: { shapes, tags: [...docSet.tags] },
          docVersion: s.docVersion + 1,
          selection: new Set([...s.selection].filter((id) => shapes.has(id))),
          hoverId: null,
          canUndo: false,
          canRedo: false,
        });
      });
    },

    applyRemote(docSet) {
      batch(() => {
        shapes = ShapeMap.from(shapesFromSet(docSet));
        rebuildIndex();
        const s = cur();
        const patch: Partial<EditorState> = {
          doc: { shapes, tags: [...docSet.tags] },
          docVersion: s.docVersion + 1,
        };
        if ([...s.selection].some((id) => !shapes.has(id)))
          patch.selection = new Set([...s.selection].filter((id) => shapes.has(id)));
        if (s.hoverId !== null && !shapes.has(s.hoverId)) patch.hoverId = null;
        set(patch);
      });
    },

    setLabels(labels) {
      batch(() => {
        const s = cur();
        const ids = new Set(labels.map((l) => l.id));
        const drawable = new Set(labels.filter((l) => l.scope !== "tags").map((l) => l.id));
        set({
          labels,
          activeLabelId:
            s.activeLabelId !== null && drawable.has(s.activeLabelId)
              ? s.activeLabelId
              : (labels.find((l) => l.scope !== "tags")?.id ?? null),
          hiddenLabels: new Set([...s.hiddenLabels].filter((id) => ids.has(id))),
          lockedLabels: new Set([...s.lockedLabels].filter((id) => ids.has(id))),
        });
        syncLabelCommands(labels);
      });
    },

    dispatch(e) {
      return batch(() => {
        switch (e.type) {
          case "pointerDown":
          case "pointerMove":
          case "pointerUp":
          case "doubleClick":
            return onPointer(e);
          case "wheel": {
            // Trackpad pinches arrive as ctrl+wheel with small deltas: give them more gain.
            const factor = Math.exp(-e.deltaY * (e.ctrl ? 0.01 : 0.0015));
            zoomTo(cur().viewport.scale * factor, e.screen);
            return true;
          }
          case "keyDown":
            if (cur().message !== null) set({ message: null });
            return onKeyDown(e);
          case "keyUp":
            return onKeyUp(e);
          case "pointerLeave":
            set({ cursor: null, hoverId: null });
            runTool({ type: "pointerLeave" });
            return true;
        }
      });
    },

    matchCommands,

    registerCommand(c) {
      addCommand(c);
      return () => {
        if (registered.get(c.id) !== c) return;
        registered.delete(c.id);
        applyKeys();
      };
    },

    setKeymap(next) {
      keymap = next;
      applyKeys();
    },

    runCommand(id) {
      const c = commands.get(id);
      if (!c || (c.mode !== undefined && c.mode !== cur().mode) || (c.canRun && !c.canRun(editor)))
        return false;
      batch(() => c.run(editor));
      return true;
    },

    setTool(id) {
      batch(() => {
        if (cur().readOnly && (id === "box" || id === "polygon")) {
          refuse(READ_ONLY_MESSAGE);
          return;
        }
        cancelGesture();
        if (panOverride?.reason !== "space") panOverride = null;
        toolId = id;
        set({ hoverId: null, ...toolPathPatch() });
        sayWhyNoDrawing();
      });
    },

    setMode(mode) {
      if (cur().mode !== mode) set({ mode });
    },

    setReadOnly(on) {
      batch(() => {
        if (cur().readOnly === on) return;
        cancelGesture();
        if (on && (toolId === "box" || toolId === "polygon")) toolId = "select";
        set({ readOnly: on, hoverId: null, ...toolPathPatch() });
      });
    },

    stepObject(step) {
      return batch(() => {
        const s = cur();
        const order = [...shapes.keys()].filter((id) => !isShapeHidden(id, s));
        const id = steppedObject(order, s.selection, step);
        const b = id === null ? undefined : index.bounds(id);
        if (id === null || !b) return null;
        set({ selection: new Set([id]), viewport: focusViewport(s.viewport, b, s.stageSize, zoomRange()) });
        fitted = false;
        return id;
      });
    },

    setActiveLabel(id) {
      const label = labelOf(id);
      if (!label || label.scope === "tags") return;
      batch(() => {
        set({ activeLabelId: id });
        sayWhyNoDrawing();
      });
    },

    select(ids, selectOpts) {
      batch(() => {
        const s = cur();
        const sel = ids.filter((id) => shapes.has(id) && !isShapeHidden(id, s));
        set({ selection: new Set(sel) });
        if (selectOpts?.centre) {
          const b = unionOfBounds(
            sel.flatMap((id) => (index.bounds(id) ? [index.bounds(id) as Bounds] : [])),
          );
          if (b) {
            set({
              viewport: centreOn(
                s.viewport,
                imagePoint((b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2),
                s.stageSize,
              ),
            });
            fitted = false;
          }
        }
      });
    },

    undo() {
      return batch(() => {
        if (cur().readOnly) {
          refuse(READ_ONLY_MESSAGE);
          return [];
        }
        cancelGesture();
        const d = history.popUndo();
        if (!d) return [];
        if (!isEmptyDocDiff(d)) applyDiff(d);
        syncHistoryFlags();
        if (d.effect) {
          d.effect.apply();
          message(`Undone: ${d.effect.label}`);
        }
        if (d.added.length + d.updated.length + d.removed.length > 0)
          set({ selection: new Set(survivingIds(d)) });
        return touchedIds(d);
      });
    },

    redo() {
      return batch(() => {
        if (cur().readOnly) {
          refuse(READ_ONLY_MESSAGE);
          return [];
        }
        cancelGesture();
        const d = history.popRedo();
        if (!d) return [];
        if (!isEmptyDocDiff(d)) applyDiff(d);
        syncHistoryFlags();
        if (d.effect) {
          d.effect.apply();
          message(`Redone: ${d.effect.label}`);
        }
        if (d.added.length + d.updated.length + d.removed.length > 0)
          set({ selection: new Set(survivingIds(d)) });
        return touchedIds(d);
      });
    },

    setViewport(v: Viewport) {
      const { min, max } = zoomRange();
      set({ viewport: { ...v, scale: clamp(v.scale, min, max) } });
      fitted = false;
    },

    setStageSize(size) {
      batch(() => {
        set({ stageSize: { width: size.width, height: size.height } });
        if (fitted) fit();
      });
    },

    fit: () => batch(fit),
    zoomTo: (scale, anchor) => batch(() => zoomTo(scale, anchor)),
    zoomBy: (factor, anchor) => batch(() => zoomTo(cur().viewport.scale * factor, anchor)),
    zoomRange,

    toggleShapeHidden(id) {
      if (!shapes.has(id)) return;
      batch(() => {
        const s = cur();
        const hiddenShapes = toggledSet(s.hiddenShapes, id);
        const patch: Partial<EditorState> = { hiddenShapes };
        // A hidden shape cannot be seen, so it must not stay selected and be edited blind.
        if (hiddenShapes.has(id) && s.selection.has(id)) {
          patch.selection = new Set([...s.selection].filter((x) => x !== id));
        }
        set(patch);
      });
    },

    toggleShapeLocked(id) {
      if (!shapes.has(id)) return;
      set({ lockedShapes: toggledSet(cur().lockedShapes, id) });
    },

    toggleLabelHidden(id) {
      batch(() => {
        const s = cur();
        const hiddenLabels = toggledSet(s.hiddenLabels, id);
        const patch: Partial<EditorState> = { hiddenLabels };
        if (hiddenLabels.has(id)) {
          patch.selection = new Set([...s.selection].filter((x) => shapes.get(x)?.labelId !== id));
        }
        set(patch);
      });
    },

    toggleLabelLocked(id) {
      set({ lockedLabels: toggledSet(cur().lockedLabels, id) });
    },

    toggleTag(labelId) {
      const label = labelOf(labelId);
      if (!label) return;
      if (label.scope === "shapes") {
        message(`Label '${label.name}' is for shapes only, not image tags`);
        return;
      }
      batch(() => {
        const tags = cur().doc.tags;
        commitTags(tags.includes(labelId) ? tags.filter((t) => t !== labelId) : [...tags, labelId]);
      });
    },

    deleteShapes(ids) {
      batch(() => {
        const s = cur();
        const existing = ids.filter((id) => shapes.has(id));
        const deletable = existing.filter((id) => !isShapeLocked(id, s));
        const locked = existing.length - deletable.length;
        if (deletable.length > 0) commit({ remove: deletable });
        if (locked > 0) message(`${locked} locked shape${locked === 1 ? " was" : "s were"} not deleted`);
      });
    },

    relabel(ids, labelId) {
      const label = labelOf(labelId);
      if (!label) return;
      batch(() => {
        const s = cur();
        const update: Shape[] = [];
        let refused = 0;
        for (const id of ids) {
          const shape = shapes.get(id);
          if (!shape || !isEditable(id, s)) continue;
          if (!label.shapeTypes.includes(shape.geometry.type) || label.scope === "tags") refused++;
          else if (shape.labelId !== labelId)
            // Values the new label's attributes accept (by name) go with the shape; it takes the others' defaults.
            update.push(
              withValues(
                { ...shape, labelId },
                conformAttributeValues(shape.attributes, label.attributes).values,
              ),
            );
        }
        if (update.length > 0) commit({ update });
        if (refused > 0) {
          const allowed = label.shapeTypes.map((t) => SHAPE_NOUN[t]).join(" and ");
          message(
            `Label '${label.name}' allows only ${allowed}: ${refused} shape${refused === 1 ? "" : "s"} kept ${refused === 1 ? "its" : "their"} label`,
          );
        }
      });
    },

    setAttribute(ids, name, value) {
      let changed = 0;
      batch(() => {
        const s = cur();
        const update: Shape[] = [];
        for (const id of ids) {
          const shape = shapes.get(id);
          const def = shape && labelOf(shape.labelId)?.attributes.find((d) => d.name === name);
          if (!shape || !def || !isEditable(id, s)) continue;
          if (value !== undefined && attributeValueProblem(def, value) !== null) continue;
          const { [name]: _, ...others } = shape.attributes ?? {};
          const next = value === undefined ? others : { ...others, [name]: value };
          if (!sameAttributeValues(next, shape.attributes))
            update.push(
              withValues(shape, orderedAttributeValues(next, labelOf(shape.labelId)?.attributes ?? [])),
            );
        }
        if (update.length > 0 && commit({ update })) changed = update.length;
      });
      return changed;
    },

    nudge(dx, dy) {
      batch(() => {
        const s = cur();
        const moving = [...s.selection].flatMap((id) => {
          const shape = shapes.get(id);
          return shape && isEditable(id, s) ? [shape] : [];
        });
        const bounds = unionOfBounds(moving.map(shapeBounds));
        if (!bounds || !s.image) return;
        // The whole selection stops at the image border rather than being squashed against it.
        const d = clampDelta(bounds, dx, dy, s.image);
        if (d.dx === 0 && d.dy === 0) return;
        commit({
          update: moving.map((m) => ({ ...m, geometry: translateGeometry(m.geometry, d.dx, d.dy) })),
        });
      });
    },

    copy() {
      const s = cur();
      const picked = [...s.selection].flatMap((id) => {
        const shape = shapes.get(id);
        return shape ? [shape] : [];
      });
      if (picked.length === 0) return;
      clipboard.shapes = picked;
      clipboard.sourceImageId = s.image?.id ?? null;
      pasteCount = 0;
      message(`Copied ${picked.length} shape${picked.length === 1 ? "" : "s"}`);
    },

    paste() {
      batch(() => {
        const s = cur();
        if (clipboard.shapes.length === 0) return message("Nothing to paste: copy shapes first (Ctrl+C)");
        if (!s.image) return;
        let toPaste = clipboard.shapes;
        if (clipboard.sourceImageId === s.image.id) {
          pasteCount++;
          const bounds = unionOfBounds(toPaste.map(shapeBounds));
          const d = bounds
            ? clampDelta(bounds, PASTE_OFFSET * pasteCount, PASTE_OFFSET * pasteCount, s.image)
            : { dx: 0, dy: 0 };
          toPaste = toPaste.map((sh) => ({ ...sh, geometry: translateGeometry(sh.geometry, d.dx, d.dy) }));
        }
        editor.pasteShapes(toPaste);
      });
    },

    pasteShapes(source) {
      batch(() => {
        const s = cur();
        if (!s.image) return;
        const add: Shape[] = [];
        const skipped: string[] = [];
        for (const sh of source) {
          const label = labelOf(sh.labelId);
          if (!label) {
            skipped.push("label not in this project");
            continue;
          }
          if (!label.shapeTypes.includes(sh.geometry.type)) {
            skipped.push(`label '${label.name}' does not allow ${SHAPE_NOUN[sh.geometry.type]}`);
            continue;
          }
          const v = validateGeometry(sh.geometry, s.image, 0);
          if (!v.ok) {
            skipped.push("outside this image");
            continue;
          }
          add.push({ id: newId(), labelId: sh.labelId, geometry: v.geometry });
        }
        if (add.length > 0)
          commit(
            { add },
            add.map((a) => a.id),
          );
        if (skipped.length > 0) {
          const reasons = [...new Set(skipped)].join("; ");
          message(
            `Pasted ${add.length} shape${add.length === 1 ? "" : "s"}; ${skipped.length} skipped (${reasons})`,
          );
        }
      });
    },

    toAnnotationInputs(): AnnotationInput[] {
      return [...shapes.values()].map((s) => ({
        id: s.id,
        labelId: s.labelId,
        geometry: s.geometry,
        ...(s.predictionId === undefined ? {} : { predictionId: s.predictionId }),
        ...(s.attributes ? { attributes: s.attributes } : {}),
      }));
    },

    addShapes(toAdd, opts) {
      return batch(() =>
        commit(
          { add: [...toAdd] },
          toAdd.map((x) => x.id),
          opts?.effect,
        ),
      );
    },

    recordEffect(effect) {
      history.record({ added: [], updated: [], removed: [], effect });
      syncHistoryFlags();
    },

    hitTest,

    pressTarget,

    visibleShapeIds() {
      const s = cur();
      if (s.stageSize.width <= 0 || s.stageSize.height <= 0) return [];
      const ids = index
        .search(visibleImageBounds(s.viewport, s.stageSize))
        .filter((id) => !isShapeHidden(id, s));
      // Many hits: walking the document in order is cheaper than sorting; few hits: sort by rank.
      if (ids.length * 8 > shapes.size) {
        const inView = new Set(ids);
        return [...shapes.keys()].filter((id) => inView.has(id));
      }
      return ids.sort((a, b) => (shapes.rankOf(a) ?? 0) - (shapes.rankOf(b) ?? 0));
    },

    isShapeHidden: (id) => isShapeHidden(id),
    isShapeLocked: (id) => isShapeLocked(id),
    clearMessage: () => set({ message: null }),
    clearIssueDraft: () => {
      if (cur().issueDraft !== null) set({ issueDraft: null });
    },
  };

  for (const c of builtinCommands()) addCommand(c);
  for (const c of attributeCommands()) addCommand(c);
  return editor;
}

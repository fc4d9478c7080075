import type { Bounds, ImagePoint, ScreenPoint, Size, Viewport } from "@labelbench/geometry";
import type {
  AnnotationInput,
  AttributeValue,
  AttributeValues,
  Geometry,
  IssueAnchor,
  Label,
  ShapeType,
} from "@labelbench/schema";
import type { StoreApi } from "zustand/vanilla";

export type ShapeId = string;

export interface Shape {
  readonly id: ShapeId;
  readonly labelId: number;
  readonly geometry: Geometry;
  /**
   * The model prediction this shape was accepted from (issue 17); edits keep it (they spread the
   * shape), copies drop it: a pasted copy is drawn by hand.
   */
  readonly predictionId?: number;
  /** Attribute values (issue 18); absent when the shape has none. */
  readonly attributes?: AttributeValues;
}

/** What is saved and undoable. `shapes` iterates in z-order (bottom first), which is also the list order. */
export interface EditorDocument {
  readonly shapes: ReadonlyMap<ShapeId, Shape>;
  readonly tags: readonly number[];
}

/** `issue` pins review issues (tools/issue-tool.ts): it emits an issue draft instead of a shape. */
export type ToolId = "select" | "box" | "polygon" | "pan" | "issue";

/**
 * What the editor is open for: annotating, or reviewing someone's work (the review keys replace the
 * label hotkeys, so both may use the same letters). A command with a mode is active only in it.
 */
export type EditorMode = "annotate" | "review";

export interface ImageInfo {
  readonly id: number;
  readonly width: number;
  readonly height: number;
}

export type BoxPreviewGeometry = { x: number; y: number; width: number; height: number };

export type Preview =
  | { kind: "box"; geometry: BoxPreviewGeometry }
  | { kind: "polygon"; points: [number, number][]; cursor: [number, number] | null }
  | { kind: "marquee"; bounds: Bounds }
  /** The region an issue tool drag would pin, clamped to the image. */
  | { kind: "issueRegion"; geometry: BoxPreviewGeometry }
  /** Moved/resized/vertex-edited shapes during a drag: drawn instead of the originals with the same ids. */
  | { kind: "transform"; shapes: Shape[] };

export interface EditorState {
  image: ImageInfo | null;
  labels: readonly Label[];
  doc: EditorDocument;
  /** +1 on every committed change (edits, undo, redo, replaceDocument); never reset, not bumped by load(). */
  docVersion: number;
  selection: ReadonlySet<ShapeId>;
  activeLabelId: number | null;
  /** The machine receiving events, e.g. { id: "select", state: "translating" }. While Space is held or the
   *  middle button drags, this reads { id: "pan", ... } and the toolbar tool resumes afterwards. */
  tool: { id: ToolId; state: string };
  preview: Preview | null;
  hiddenShapes: ReadonlySet<ShapeId>;
  lockedShapes: ReadonlySet<ShapeId>;
  hiddenLabels: ReadonlySet<number>;
  lockedLabels: ReadonlySet<number>;
  /** screen = image * scale + offset */
  viewport: Viewport;
  stageSize: Size;
  /** Last pointer position in image pixels (status bar); null once the pointer leaves the stage. */
  cursor: ImagePoint | null;
  canUndo: boolean;
  canRedo: boolean;
  hoverId: ShapeId | null;
  /**
   * What the issue tool's last press pinned, for the page's issue form; null once the page took it
   * (`clearIssueDraft`) or another image was loaded. `seq` tells a new press on the same anchor apart.
   */
  issueDraft: IssueDraft | null;
  /**
   * What a primary press at the pointer (`cursor`) would start, decided by the select tool's own hit
   * tests (handles first, then the smallest shape), or the shape the issue tool would pin; null with
   * another tool, during a gesture, or over nothing. The canvas only shows it, as `cursorKind`.
   */
  pointerTarget: PressTarget | null;
  /**
   * The pointer's cursor for the current tool, gesture and pointer target. A select gesture other than
   * a move or a reshape (pressed, not yet dragged; a marquee) keeps the cursor its press started with.
   */
  cursorKind: CursorKind;
  mode: EditorMode;
  /**
   * Looking only (review before a fix): selection, camera, hiding and stepping work; every change of
   * the document is refused with a message, and no drawing tool can be picked.
   */
  readOnly: boolean;
  /** Transient user feedback; cleared at the start of the next pointerDown/keyDown. */
  message: string | null;
  /** +1 with every message, so the same text said again is shown (and timed) again. */
  messageSeq: number;
  /**
   * The first step of a two-key chord just pressed ("KeyG"), while the editor waits for the second;
   * null otherwise. The UI shows it as a hint; it clears on the second key, Escape or the timeout.
   */
  pendingChord: string | null;
}

/** Where a review issue would be pinned (the contract's anchor; a shape anchor's `box` is the server's). */
export interface IssueDraft {
  anchor: IssueAnchor;
  seq: number;
}

export interface PointerInput {
  screen: ScreenPoint;
  /** 0 primary, 1 middle (pans), 2 secondary. */
  button: 0 | 1 | 2;
  shift: boolean;
  alt: boolean;
  /** Ctrl or Meta (Cmd): the UI passes `e.ctrlKey || e.metaKey`. */
  ctrl: boolean;
}

export type EditorEvent =
  | ({ type: "pointerDown" } & PointerInput)
  | ({ type: "pointerMove" } & PointerInput)
  | ({ type: "pointerUp" } & PointerInput)
  | ({ type: "doubleClick" } & PointerInput)
  | { type: "wheel"; screen: ScreenPoint; deltaY: number; ctrl: boolean }
  | {
      type: "keyDown";
      key: string;
      code: string;
      shift: boolean;
      /** Ctrl, or Ctrl-or-Meta: "Mod" in command keys matches either `ctrl` or `meta`. */
      ctrl: boolean;
      alt: boolean;
      repeat: boolean;
      meta?: boolean;
    }
  | { type: "keyUp"; key: string; code: string }
  | { type: "pointerLeave" };

export type CommandGroup = "Tools" | "Edit" | "View" | "Labels" | "Navigation" | (string & {});

export interface Command {
  id: string;
  label: string;
  group: CommandGroup;
  /** Display and matching, e.g. ["Mod+Z"], ["Shift+ArrowUp"], ["Delete", "Backspace"], ["?"]. */
  keys: string[];
  /**
   * Commands this one shares keys with on purpose: on such a key it runs only when they cannot
   * (registration order is dispatch order), as the arrows nudge a selection or else change image.
   * Any other key already bound refuses the registration.
   */
  fallbackFor?: readonly string[];
  /** Active only in this mode; commands of different modes may share keys (a label hotkey and a review key). */
  mode?: EditorMode;
  canRun?: (ed: Editor) => boolean;
  run: (ed: Editor) => void;
}

/** Shared between editor instances (and so across images) when the same object is injected. */
export interface Clipboard {
  shapes: Shape[];
  /** Image the shapes were copied from: pasting into the same image offsets them so they do not hide the originals. */
  sourceImageId?: number | null;
}

/** An AnnotationSet (server reply) or anything shaped like it; ids are generated for annotations without one. */
export interface AnnotationSetLike {
  annotations: readonly {
    id?: string | undefined;
    labelId: number;
    geometry: Geometry;
    predictionId?: number | undefined;
    attributes?: AttributeValues | undefined;
  }[];
  tags: readonly number[];
}

export interface LoadInput {
  image: ImageInfo;
  labels: readonly Label[];
  set: AnnotationSetLike;
}

/** Handles of a selected box; hit tolerance is in screen pixels (see HANDLE_TOLERANCE_PX). */
export type BoxHandle = "nw" | "n" | "ne" | "e" | "se" | "s" | "sw" | "w";

/**
 * What a primary press at a point would start with the current tool, decided by the same hit tests the
 * press itself uses, so a cursor drawn from it cannot promise what the press will not do.
 */
export type PressTarget =
  | { kind: "resize"; shapeId: ShapeId; handle: BoxHandle }
  | { kind: "vertex"; shapeId: ShapeId; index: number }
  /** A selected shape: dragging moves the selection. */
  | { kind: "move"; shapeId: ShapeId }
  /** An unselected shape: the press selects it (and a drag then moves it). */
  | { kind: "select"; shapeId: ShapeId }
  /** The issue tool over a shape: a click pins the issue on it. */
  | { kind: "pin"; shapeId: ShapeId };

/** The pointer's cursor, named as in CSS (the canvas sets it as is). */
export type CursorKind =
  | "default"
  | "pointer"
  | "move"
  | "grab"
  | "grabbing"
  | "crosshair"
  | "nwse-resize"
  | "nesw-resize"
  | "ns-resize"
  | "ew-resize";

export interface EditorMetrics {
  /** Index candidates examined by the last hit test (dense-scene check: far fewer than all shapes). */
  lastHitTestCandidates: number;
  /** Hit tests run; asking again at the same point of the same scene reuses the last answer. */
  hitTests: number;
}

export interface Editor {
  readonly store: StoreApi<EditorState>;
  getState(): EditorState;
  /** Loads an image's annotations: resets history, selection, per-shape hide/lock and the gesture; fits the view. */
  load(input: LoadInput): void;
  /** Replaces the document (e.g. conflict "take theirs"). recordHistory: one undoable entry; otherwise history is cleared. */
  replaceDocument(set: AnnotationSetLike, opts?: { recordHistory?: boolean }): void;
  /**
   * The document becomes `set` — someone else's save merged with this user's edits — without an undo
   * entry and without clearing history (its entries are per-shape diffs, still meaningful), and without
   * cancelling a gesture under way. Bumps docVersion.
   */
  applyRemote(set: AnnotationSetLike): void;
  setLabels(labels: readonly Label[]): void;
  /** True when handled (the UI then calls preventDefault). */
  dispatch(e: EditorEvent): boolean;
  readonly commands: ReadonlyMap<string, Command>;
  registerCommand(c: Command): () => void;
  /** Runs the command when it exists and canRun allows it. */
  runCommand(id: string): boolean;
  /**
   * The user's own keys (command id → keys, in codes: "Mod+KeyZ"), replacing the defaults of the
   * commands it names, those registered later included; {} restores every default.
   */
  setKeymap(keymap: Readonly<Record<string, readonly string[]>>): void;
  /** Commands whose keys match the key event, in registration order (the help overlay lists `commands`). */
  matchCommands(e: Extract<EditorEvent, { type: "keyDown" }>): Command[];
  setTool(id: ToolId): void;
  setMode(mode: EditorMode): void;
  /** Read-only on: a gesture under way is cancelled and a drawing tool gives way to select. */
  setReadOnly(on: boolean): void;
  /**
   * Selects the next (1) or previous (-1) visible object in list order, wrapping around, and moves the
   * camera to show it readable and whole (object-focus.ts). Null when there is none.
   */
  stepObject(step: 1 | -1): ShapeId | null;
  setActiveLabel(id: number): void;
  select(ids: readonly ShapeId[], opts?: { centre?: boolean }): void;
  undo(): ShapeId[];
  redo(): ShapeId[];
  setViewport(v: Viewport): void;
  setStageSize(s: Size): void;
  fit(): void;
  zoomTo(scale: number, anchor?: ScreenPoint): void;
  zoomBy(factor: number, anchor?: ScreenPoint): void;
  /** [min, max] scale: min(fit, 1) .. 64. */
  zoomRange(): { min: number; max: number };
  toggleShapeHidden(id: ShapeId): void;
  toggleShapeLocked(id: ShapeId): void;
  toggleLabelHidden(id: number): void;
  toggleLabelLocked(id: number): void;
  toggleTag(labelId: number): void;
  deleteShapes(ids: readonly ShapeId[]): void;
  relabel(ids: readonly ShapeId[], labelId: number): void;
  /**
   * Sets one attribute on the shapes (one undoable change), each checked against its label's
   * definition of that name: shapes whose label lacks it, or refuses the value, keep theirs.
   * `undefined` clears it. Returns how many shapes changed.
   */
  setAttribute(ids: readonly ShapeId[], name: string, value: AttributeValue | undefined): number;
  nudge(dx: number, dy: number): void;
  copy(): void;
  paste(): void;
  /** Adds copies (new ids) of the shapes, clamped to this image; e.g. "copy all shapes from the previous image". */
  pasteShapes(shapes: readonly Shape[]): void;
  /**
   * Adds the shapes as they are (their ids, their predictionId) as one undoable change, selecting
   * them; `effect` joins that history entry (see HistoryEffect). False, with a message, when refused
   * (read-only, a geometry outside the image).
   */
  addShapes(shapes: readonly Shape[], opts?: { effect?: HistoryEffect }): boolean;
  /**
   * Records a change made outside the document (e.g. a prediction rejected on the server) as an
   * undo entry of its own, so Undo and Redo walk it in order with the edits. Runs nothing now.
   */
  recordEffect(effect: HistoryEffect): void;
  /** What PUT /images/:id/annotations sends, in z-order. */
  toAnnotationInputs(): AnnotationInput[];
  /** Smallest-area visible, unlocked shape under the point (spatial index). Tolerance in screen px. */
  hitTest(p: ImagePoint, tolerancePx?: number): ShapeId | null;
  /** What a press at `p` would do with the select or issue tool at rest; null otherwise or over nothing. */
  pressTarget(p: ImagePoint): PressTarget | null;
  /** The page took the issue draft (opened its form) or dropped it. */
  clearIssueDraft(): void;
  /** Non-hidden shapes intersecting the viewport (culling), via the spatial index, in z-order. */
  visibleShapeIds(): ShapeId[];
  isShapeHidden(id: ShapeId): boolean;
  isShapeLocked(id: ShapeId): boolean;
  clearMessage(): void;
  readonly metrics: Readonly<EditorMetrics>;
}

/** Something outside the document an undo entry reverts and a redo applies again. */
export interface HistoryEffect {
  /** Shown in the message after Undo / Redo, e.g. "Rejected prediction 0.87". */
  readonly label: string;
  apply(): void;
  revert(): void;
}

export interface CreateEditorOptions {
  clipboard?: Clipboard;
  idFactory?: () => string;
  /** How long a chord's first key waits for the second (ms); 1500 unless told. */
  chordTimeoutMs?: number;
}

export type { ShapeType };

import type { Bounds, ImagePoint, ScreenPoint, Size } from "@labelbench/geometry";
import type { Geometry, IssueAnchor, ShapeType } from "@labelbench/schema";
import type { GeometryValidation } from "../shape-geometry.js";
import type { BoxHandle, EditorState, Preview, Shape, ShapeId, ToolId } from "../types.js";

interface PointerFields {
  /** Pointer position in image pixels (may lie outside the image). */
  point: ImagePoint;
  screen: ScreenPoint;
  button: 0 | 1 | 2;
  shift: boolean;
  alt: boolean;
  ctrl: boolean;
}

/** What a tool sees: editor events with the pointer already converted to image pixels. */
export type ToolEvent =
  | ({ type: "pointerDown" } & PointerFields)
  | ({ type: "pointerMove" } & PointerFields)
  | ({ type: "pointerUp" } & PointerFields)
  | ({ type: "doubleClick" } & PointerFields)
  | { type: "keyDown"; key: string; shift: boolean; ctrl: boolean; alt: boolean }
  | { type: "pointerLeave" }
  /** Abandon the gesture (tool switch, undo, load): no commit, preview cleared. */
  | { type: "cancel" };

/** A document change a tool asks for; the editor validates, records one history entry and applies it. */
export interface ShapeChange {
  add?: Shape[];
  update?: Shape[];
  remove?: ShapeId[];
}

export type ToolEffect =
  | { type: "preview"; preview: Preview | null }
  | { type: "select"; ids: ShapeId[] }
  | { type: "hover"; id: ShapeId | null }
  | { type: "commit"; change: ShapeChange; select?: ShapeId[] }
  | { type: "message"; text: string }
  /** Pan the camera by a screen-pixel delta. */
  | { type: "pan"; dx: number; dy: number }
  /** A review issue pinned here: becomes EditorState.issueDraft for the page's form. */
  | { type: "issueDraft"; anchor: IssueAnchor };

export type HandleHit =
  | { kind: "box"; shapeId: ShapeId; handle: BoxHandle }
  | { kind: "vertex"; shapeId: ShapeId; index: number };

/** Read-only queries a tool may make; everything a tool changes goes out as effects. */
export interface ToolContext {
  readonly state: EditorState;
  readonly imageSize: Size;
  /** Image pixels per screen pixel, to turn screen-pixel tolerances into image pixels. */
  readonly pxToImage: number;
  shape(id: ShapeId): Shape | undefined;
  /** Topmost-by-area rule: the smallest visible, unlocked shape under the point. */
  hitTest(p: ImagePoint): ShapeId | null;
  /** The smallest visible shape under the point, locked or not (what an issue is pinned on). */
  shapeAt(p: ImagePoint): ShapeId | null;
  /** A handle of a selected, editable shape under the point (handles exist only for selected shapes). */
  handleAt(p: ImagePoint): HandleHit | null;
  /** Selected shapes that may be edited (not locked, not hidden). */
  editableSelection(): Shape[];
  /** Selectable shapes whose bounds lie inside `b` (marquee). */
  shapesInside(b: Bounds): ShapeId[];
  /** The active label if it allows drawing this shape type, else a message for the user. */
  drawingLabel(type: ShapeType): { ok: true; labelId: number } | { ok: false; message: string };
  validate(g: Geometry, minBoxSide?: number): GeometryValidation;
  newId(): string;
}

export interface ToolResult<S> {
  state: S;
  effects: ToolEffect[];
}

/**
 * A tool is a small state machine (tldraw's habit): a discriminated union of states and a transition that
 * returns the next state plus effects. `null` means "not handled" so the editor can try commands next.
 */
export interface Tool<S extends { name: string }> {
  readonly id: ToolId;
  readonly initial: S;
  onEvent(state: S, event: ToolEvent, ctx: ToolContext): ToolResult<S> | null;
}

export const result = <S>(state: S, ...effects: ToolEffect[]): ToolResult<S> => ({ state, effects });

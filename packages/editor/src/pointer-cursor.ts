import type { BoxHandle, CursorKind, EditorState, PressTarget } from "./types.js";

const RESIZE_CURSOR: Record<BoxHandle, CursorKind> = {
  nw: "nwse-resize",
  se: "nwse-resize",
  ne: "nesw-resize",
  sw: "nesw-resize",
  n: "ns-resize",
  s: "ns-resize",
  e: "ew-resize",
  w: "ew-resize",
};

/**
 * The cursor for the machine receiving events (`tool`), the box handle a resize drags (null when
 * none does) and what a press at the pointer would do (`target`, EditorState.pointerTarget).
 * `previous` is kept while a select gesture has not yet shown what it does (pressed, not dragged) or
 * draws a marquee: the cursor the press started with stays until it ends.
 */
export const cursorKindFor = (
  tool: EditorState["tool"],
  resizing: BoxHandle | null,
  target: PressTarget | null,
  hasPointer: boolean,
  previous: CursorKind,
): CursorKind => {
  switch (tool.id) {
    case "pan":
      return tool.state === "panning" ? "grabbing" : "grab";
    case "box":
    case "polygon":
      return "crosshair";
    case "issue":
      // Over a shape at rest the press pins that shape; anywhere else it pins a point or a region.
      return tool.state === "idle" && target?.kind === "pin" ? "pointer" : "crosshair";
  }
  switch (tool.state) {
    case "idle":
      break;
    case "translating":
    case "vertexDragging":
      return "move";
    case "resizing":
      return resizing ? RESIZE_CURSOR[resizing] : previous;
    default:
      return previous;
  }
  if (!hasPointer) return "default";
  switch (target?.kind) {
    case "resize":
      return RESIZE_CURSOR[target.handle];
    case "vertex":
    case "move":
      return "move";
    case "select":
      return "pointer";
    default:
      return "default";
  }
};

import type { BoxHandle, Editor, EditorState } from "@labelbench/editor";

const RESIZE_CURSOR: Record<BoxHandle, string> = {
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
 * The pointer's cursor: what a press there will do, as the editor core decides it (`pressTarget`, the
 * select tool's own hit tests), so the cursor never says "resize" where a press moves the shape.
 * Null while a select gesture other than a move is under way: the cursor the press started with
 * (a resize arrow, say) stays until it ends.
 */
export const cursorFor = (editor: Editor, s: EditorState): string | null => {
  switch (s.tool.id) {
    case "pan":
      return s.tool.state === "panning" ? "grabbing" : "grab";
    case "box":
    case "polygon":
      return "crosshair";
  }
  if (s.tool.state === "translating") return "move";
  if (s.tool.state !== "idle") return null;
  if (!s.cursor) return "default";
  const target = editor.pressTarget(s.cursor);
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

import type { ScreenPoint } from "@labelbench/geometry";
import { result, type Tool } from "./tool.js";

export type PanState = { name: "idle" } | { name: "panning"; last: ScreenPoint };

/** Drag to move the camera; also used temporarily for Space+drag and middle-button drags. */
export const panTool: Tool<PanState> = {
  id: "pan",
  initial: { name: "idle" },
  onEvent(state, event) {
    switch (event.type) {
      case "pointerDown":
        return result({ name: "panning", last: event.screen });
      case "pointerMove":
        if (state.name !== "panning") return null;
        return result(
          { name: "panning", last: event.screen },
          { type: "pan", dx: event.screen.x - state.last.x, dy: event.screen.y - state.last.y },
        );
      case "pointerUp":
        return state.name === "panning" ? result({ name: "idle" }) : null;
      case "cancel":
        return result({ name: "idle" });
      default:
        return null;
    }
  },
};

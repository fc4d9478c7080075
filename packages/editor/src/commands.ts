import type { AttributeDefinition, AttributeValue, Label } from "@labelbench/schema";
import type { Command, Editor, ToolId } from "./types.js";

const ZOOM_STEP = 1.25;

const hasSelection = (ed: Editor) => ed.getState().selection.size > 0;
/** Tab leaves the focus alone (the browser's own move) on an image without objects. */
const hasShapes = (ed: Editor) => [...ed.getState().doc.shapes.keys()].some((id) => !ed.isShapeHidden(id));
const hasEditableSelection = (ed: Editor) =>
  [...ed.getState().selection].some((id) => !ed.isShapeLocked(id) && !ed.isShapeHidden(id));

const tool = (id: ToolId, label: string, key: string): Command => ({
  id: `tool.${id}`,
  label,
  group: "Tools",
  keys: [key],
  run: (ed) => ed.setTool(id),
});

const nudge = (dir: "Up" | "Down" | "Left" | "Right", step: 1 | 10): Command => {
  const [dx, dy] = { Up: [0, -1], Down: [0, 1], Left: [-1, 0], Right: [1, 0] }[dir] as [number, number];
  return {
    id: `edit.nudge${dir}${step === 10 ? "10" : ""}`,
    label: `Nudge ${dir.toLowerCase()} ${step} px`,
    group: "Edit",
    keys: [step === 10 ? `Shift+Arrow${dir}` : `Arrow${dir}`],
    canRun: hasEditableSelection,
    run: (ed) => ed.nudge(dx * step, dy * step),
  };
};

/**
 * Every built-in shortcut in one list (excalidraw's actions): the help overlay and the key handler both read
 * the registry, so they cannot disagree. Letters a, d, n, s are left for the app's navigation commands.
 */
export const builtinCommands = (): Command[] => [
  tool("select", "Select tool", "v"),
  tool("box", "Box tool", "b"),
  tool("polygon", "Polygon tool", "p"),
  tool("pan", "Pan tool (or hold Space)", "h"),
  {
    id: "edit.undo",
    label: "Undo",
    group: "Edit",
    keys: ["Mod+Z"],
    canRun: (ed) => ed.getState().canUndo,
    run: (ed) => {
      ed.undo();
    },
  },
  {
    id: "edit.redo",
    label: "Redo",
    group: "Edit",
    keys: ["Mod+Shift+Z", "Mod+Y"],
    canRun: (ed) => ed.getState().canRedo,
    run: (ed) => {
      ed.redo();
    },
  },
  {
    id: "edit.delete",
    label: "Delete selected shapes",
    group: "Edit",
    keys: ["Delete", "Backspace"],
    canRun: hasSelection,
    run: (ed) => ed.deleteShapes([...ed.getState().selection]),
  },
  {
    id: "edit.copy",
    label: "Copy selected shapes",
    group: "Edit",
    keys: ["Mod+C"],
    canRun: hasSelection,
    run: (ed) => ed.copy(),
  },
  {
    id: "edit.paste",
    label: "Paste shapes",
    group: "Edit",
    keys: ["Mod+V"],
    run: (ed) => ed.paste(),
  },
  {
    id: "edit.selectAll",
    label: "Select all shapes",
    group: "Edit",
    keys: ["Mod+A"],
    run: (ed) => ed.select([...ed.getState().doc.shapes.keys()].filter((id) => !ed.isShapeHidden(id))),
  },
  {
    id: "edit.deselect",
    label: "Deselect / cancel",
    group: "Edit",
    keys: ["Escape"],
    canRun: hasSelection,
    run: (ed) => ed.select([]),
  },
  nudge("Up", 1),
  nudge("Down", 1),
  nudge("Left", 1),
  nudge("Right", 1),
  nudge("Up", 10),
  nudge("Down", 10),
  nudge("Left", 10),
  nudge("Right", 10),
  {
    id: "view.nextObject",
    label: "Next object (centred, readable)",
    group: "View",
    keys: ["Tab"],
    canRun: hasShapes,
    run: (ed) => {
      ed.stepObject(1);
    },
  },
  {
    id: "view.previousObject",
    label: "Previous object",
    group: "View",
    keys: ["Shift+Tab"],
    canRun: hasShapes,
    run: (ed) => {
      ed.stepObject(-1);
    },
  },
  { id: "view.fit", label: "Fit to window", group: "View", keys: ["f", "Shift+1"], run: (ed) => ed.fit() },
  {
    id: "view.actualSize",
    label: "Zoom 1:1",
    group: "View",
    keys: ["0", "Shift+0"],
    run: (ed) => ed.zoomTo(1),
  },
  { id: "view.zoomIn", label: "Zoom in", group: "View", keys: ["+", "="], run: (ed) => ed.zoomBy(ZOOM_STEP) },
  {
    id: "view.zoomOut",
    label: "Zoom out",
    group: "View",
    keys: ["-"],
    run: (ed) => ed.zoomBy(1 / ZOOM_STEP),
  },
];

/** How many attributes of the selection's label have a key (Alt+1 … Alt+9). */
export const ATTRIBUTE_KEYS = 9;

/**
 * The attribute the n-th attribute key acts on: the n-th of the first selected shape's label, and
 * that shape's value of it. Null when nothing editable is selected or the label has fewer.
 */
export const keyedAttribute = (
  ed: Editor,
  n: number,
): { def: AttributeDefinition; value: AttributeValue | undefined } | null => {
  const s = ed.getState();
  const first = [...s.selection].find((id) => !ed.isShapeLocked(id) && !ed.isShapeHidden(id));
  const shape = first === undefined ? undefined : s.doc.shapes.get(first);
  const def = shape && s.labels.find((l) => l.id === shape.labelId)?.attributes[n - 1];
  return shape && def ? { def, value: shape.attributes?.[def.name] } : null;
};

/** The value the key gives: a checkbox flips, a choice moves to the next, a number goes up a step. */
export const steppedValue = (
  def: AttributeDefinition,
  value: AttributeValue | undefined,
): AttributeValue | null => {
  switch (def.kind) {
    case "checkbox":
      return value !== true;
    case "choice": {
      const at = typeof value === "string" ? def.values.indexOf(value) : -1;
      return def.values[(at + 1) % def.values.length] ?? null;
    }
    case "number": {
      const step = def.step ?? 1;
      const base = typeof value === "number" ? value + step : (def.default ?? def.min ?? 0);
      // Past the maximum it wraps to the minimum, as a choice wraps to its first value.
      if (def.max !== null && base > def.max) return def.min ?? null;
      return Number(base.toFixed(10));
    }
    case "text":
      return null;
  }
};

/**
 * Alt+1 … Alt+9: the selection's n-th attribute (bulk: every selected shape takes the value the
 * first one steps to). Keys by position, so a label's attributes keep their keys as they are listed.
 */
export const attributeCommands = (): Command[] =>
  Array.from({ length: ATTRIBUTE_KEYS }, (_, i) => ({
    id: `attribute.${i + 1}`,
    label: `Attribute ${i + 1} of the selection: toggle, next choice, or up a step`,
    group: "Attributes",
    keys: [`Alt+${i + 1}`],
    mode: "annotate" as const,
    canRun: (ed: Editor) => {
      const k = keyedAttribute(ed, i + 1);
      return k !== null && steppedValue(k.def, k.value) !== null;
    },
    run: (ed: Editor) => {
      const k = keyedAttribute(ed, i + 1);
      const v = k && steppedValue(k.def, k.value);
      if (k && v !== null) ed.setAttribute([...ed.getState().selection], k.def.name, v);
    },
  }));

export const LABEL_COMMAND_PREFIX = "label.";

/** One command per label hotkey (a key, or a two-key chord), so the help overlay lists them too. */
export const labelCommands = (
  labels: readonly Label[],
  apply: (ed: Editor, label: Label) => void,
): Command[] =>
  labels
    .filter((l) => l.hotkey)
    .map((l) => ({
      id: `${LABEL_COMMAND_PREFIX}${l.id}`,
      label: `Label "${l.name}" (relabel selection or draw with it)`,
      group: "Labels",
      // A two-character hotkey is a chord: "g3" is G, then 3.
      keys: [[...(l.hotkey ?? "").toLowerCase()].join(" ")],
      // Review keys take these letters while reviewing.
      mode: "annotate" as const,
      run: (ed: Editor) => apply(ed, l),
    }));

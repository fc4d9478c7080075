import { imagePoint, imageToScreen, type Size, type Viewport } from "@labelbench/geometry";
import type { Label } from "@labelbench/schema";
import { createEditor } from "./editor.js";
import type {
  AnnotationSetLike,
  Clipboard,
  CursorKind,
  Editor,
  EditorEvent,
  EditorState,
  PressTarget,
  Shape,
  ShapeId,
} from "./types.js";

export interface PointerMods {
  shift?: boolean;
  alt?: boolean;
  ctrl?: boolean;
  button?: 0 | 1 | 2;
}

export interface TestEditorOptions {
  image?: { id?: number; width: number; height: number };
  labels?: Label[];
  annotations?: AnnotationSetLike["annotations"];
  tags?: number[];
  clipboard?: Clipboard;
  /** Defaults to the image size with the identity viewport, so image px = screen px. */
  stage?: Size;
  viewport?: Viewport;
}

export const makeLabel = (l: Partial<Label> & Pick<Label, "id" | "name">): Label => ({
  projectId: 1,
  color: "#ff0000",
  hotkey: null,
  position: l.id,
  shapeTypes: ["box", "polygon"],
  scope: "both",
  attributes: [],
  annotationCount: 0,
  ...l,
});

/** car (1, both), person (2, boxes only), road (3, polygons only). */
export const DEFAULT_TEST_LABELS: Label[] = [
  makeLabel({ id: 1, name: "car", hotkey: "1" }),
  makeLabel({ id: 2, name: "person", hotkey: "2", shapeTypes: ["box"] }),
  makeLabel({ id: 3, name: "road", hotkey: "3", shapeTypes: ["polygon"] }),
];

const SHIFTED_DIGITS: Record<string, string> = {
  "0": ")",
  "1": "!",
  "2": "@",
  "3": "#",
  "4": "$",
  "5": "%",
  "6": "^",
  "7": "&",
  "8": "*",
  "9": "(",
};
const SYMBOL_CODES: Record<string, [code: string, shift: boolean]> = {
  "+": ["Equal", true],
  "=": ["Equal", false],
  "-": ["Minus", false],
  "?": ["Slash", true],
};

/** Turns "Mod+Shift+Z", "Shift+ArrowUp", "?", "1" into the keyDown event a US-layout browser would send. */
export const keyEventFor = (spec: string): Extract<EditorEvent, { type: "keyDown" }> => {
  const parts =
    spec === "+" ? ["+"] : spec.split("+").filter((p, i, all) => p !== "" || i === all.length - 1);
  const name = spec.endsWith("++") ? "+" : (parts.pop() ?? "");
  const mods = new Set(parts.map((p) => p.toLowerCase()));
  let shift = mods.has("shift");
  const ctrl = mods.has("mod") || mods.has("ctrl");
  const alt = mods.has("alt");
  let key = name;
  let code = name;
  if (/^[a-zA-Z]$/.test(name)) {
    key = shift ? name.toUpperCase() : name.toLowerCase();
    code = `Key${name.toUpperCase()}`;
  } else if (/^[0-9]$/.test(name)) {
    key = shift ? (SHIFTED_DIGITS[name] ?? name) : name;
    code = `Digit${name}`;
  } else if (SYMBOL_CODES[name]) {
    const [c, s] = SYMBOL_CODES[name];
    code = c;
    shift = shift || s;
  } else if (name === "Space" || name === " ") {
    key = " ";
    code = "Space";
  }
  return { type: "keyDown", key, code, shift, ctrl, alt, repeat: false };
};

/**
 * A headless editor for tests: drives pointer and key events given in IMAGE pixels (converted through the
 * current viewport, as the canvas would) and reads state back. Ids are deterministic: shape-1, shape-2, ...
 */
export class TestEditor {
  readonly editor: Editor;
  /** Whether the last dispatched event was handled. */
  lastHandled = false;

  constructor(opts: TestEditorOptions = {}) {
    let n = 0;
    this.editor = createEditor({
      clipboard: opts.clipboard ?? { shapes: [] },
      idFactory: () => `shape-${++n}`,
    });
    const image = {
      id: opts.image?.id ?? 1,
      width: opts.image?.width ?? 1000,
      height: opts.image?.height ?? 800,
    };
    this.editor.load({
      image,
      labels: opts.labels ?? DEFAULT_TEST_LABELS,
      set: { annotations: opts.annotations ?? [], tags: opts.tags ?? [] },
    });
    this.editor.setStageSize(opts.stage ?? { width: image.width, height: image.height });
    this.editor.setViewport(opts.viewport ?? { scale: 1, offsetX: 0, offsetY: 0 });
  }

  get state(): EditorState {
    return this.editor.getState();
  }

  /** Current tool path, e.g. "select.translating". */
  get toolPath(): string {
    const t = this.state.tool;
    return `${t.id}.${t.state}`;
  }

  expectTool(path: string): this {
    if (this.toolPath !== path) throw new Error(`expected tool "${path}" but it is "${this.toolPath}"`);
    return this;
  }

  shapes(): Shape[] {
    return [...this.state.doc.shapes.values()];
  }

  shape(id: ShapeId): Shape {
    const s = this.state.doc.shapes.get(id);
    if (!s) throw new Error(`no shape ${id}`);
    return s;
  }

  /** The pointer's cursor as the canvas would show it (EditorState.cursorKind). */
  cursor(): CursorKind {
    return this.state.cursorKind;
  }

  /** What a press at the pointer would do (EditorState.pointerTarget). */
  pointerTarget(): PressTarget | null {
    return this.state.pointerTarget;
  }

  selectedIds(): ShapeId[] {
    return [...this.state.selection];
  }

  private pointer(
    type: "pointerDown" | "pointerMove" | "pointerUp" | "doubleClick",
    x: number,
    y: number,
    m: PointerMods,
  ) {
    const screen = imageToScreen(this.state.viewport, imagePoint(x, y));
    return this.dispatch({
      type,
      screen,
      button: m.button ?? 0,
      shift: m.shift ?? false,
      alt: m.alt ?? false,
      ctrl: m.ctrl ?? false,
    });
  }

  dispatch(e: EditorEvent): this {
    this.lastHandled = this.editor.dispatch(e);
    return this;
  }

  pointerDown(x: number, y: number, m: PointerMods = {}): this {
    return this.pointer("pointerDown", x, y, m);
  }

  pointerMove(x: number, y: number, m: PointerMods = {}): this {
    return this.pointer("pointerMove", x, y, m);
  }

  pointerUp(x: number, y: number, m: PointerMods = {}): this {
    return this.pointer("pointerUp", x, y, m);
  }

  click(x: number, y: number, m: PointerMods = {}): this {
    return this.pointerDown(x, y, m).pointerUp(x, y, m);
  }

  /** What a browser sends for a double-click: two clicks, then dblclick. */
  doubleClick(x: number, y: number, m: PointerMods = {}): this {
    return this.click(x, y, m).click(x, y, m).pointer("doubleClick", x, y, m);
  }

  /** Press, move in steps to the target, release. */
  drag(x1: number, y1: number, x2: number, y2: number, m: PointerMods = {}, steps = 4): this {
    this.pointerDown(x1, y1, m);
    for (let i = 1; i <= steps; i++)
      this.pointerMove(x1 + ((x2 - x1) * i) / steps, y1 + ((y2 - y1) * i) / steps, m);
    return this.pointerUp(x2, y2, m);
  }

  key(spec: string): this {
    return this.dispatch(keyEventFor(spec));
  }

  keyUp(spec: string): this {
    const e = keyEventFor(spec);
    return this.dispatch({ type: "keyUp", key: e.key, code: e.code });
  }

  wheel(x: number, y: number, deltaY: number, ctrl = false): this {
    return this.dispatch({
      type: "wheel",
      screen: imageToScreen(this.state.viewport, imagePoint(x, y)),
      deltaY,
      ctrl,
    });
  }

  /** Box geometry shorthand for fixtures. */
  static box(id: ShapeId, labelId: number, x: number, y: number, width: number, height: number) {
    return { id, labelId, geometry: { type: "box" as const, x, y, width, height } };
  }

  static polygon(id: ShapeId, labelId: number, points: [number, number][]) {
    return { id, labelId, geometry: { type: "polygon" as const, points } };
  }
}

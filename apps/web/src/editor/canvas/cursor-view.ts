import type { CursorKind } from "@labelbench/editor";

/**
 * Shows the editor's cursor (EditorState.cursorKind: the core decides what a press will do) on the
 * topmost element, which pointer events hit. The cursor is an inherited property: set on the stage,
 * every change restyled all the layers under it (0.5-0.7 ms, forced by the press that selects a
 * shape); on a childless element it restyles one element. Set only when it changes.
 */
export class CursorView {
  private shown = "";

  constructor(private readonly el: { style: { cursor: string } }) {}

  show(kind: CursorKind): void {
    if (kind === this.shown) return;
    this.shown = kind;
    this.el.style.cursor = kind;
  }
}

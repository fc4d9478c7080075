import type { KeyDownEvent } from "@labelbench/editor";

/** A browser key press as the editor core reads it: the key, its physical code and the modifiers. */
export const keyDownOf = (e: KeyboardEvent): KeyDownEvent => ({
  type: "keyDown",
  key: e.key,
  code: e.code,
  shift: e.shiftKey,
  ctrl: e.ctrlKey,
  meta: e.metaKey,
  alt: e.altKey,
  repeat: e.repeat,
});

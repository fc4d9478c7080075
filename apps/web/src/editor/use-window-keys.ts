import type { Editor } from "@labelbench/editor";
import { useEffect } from "react";
import { keyDownOf } from "./dom-key";

/** Keys a focused slider (the prediction score sliders) uses itself; the editor takes the rest. */
const SLIDER_KEYS = new Set([
  "ArrowLeft",
  "ArrowRight",
  "ArrowUp",
  "ArrowDown",
  "Home",
  "End",
  "PageUp",
  "PageDown",
]);

const isTyping = (t: EventTarget | null, key: string) => {
  if (!(t instanceof HTMLElement)) return false;
  if (t instanceof HTMLInputElement && t.type === "range") return SLIDER_KEYS.has(key);
  return t.isContentEditable || t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT";
};

/**
 * Keyboard: the window listens so keys work wherever focus is, except in text fields and dialogs.
 * `view` is read at each key: while help is open only its closing keys count; while blocked (a dialog,
 * no picture) the editor gets none.
 */
export const useWindowKeys = (
  editor: Editor,
  view: { readonly current: { help: boolean; blocked: boolean } },
  closeHelp: () => void,
): void => {
  useEffect(() => {
    const onDown = (e: KeyboardEvent) => {
      if (isTyping(e.target, e.key)) return;
      if (view.current.help) {
        if (e.key === "Escape" || e.key === "?") {
          closeHelp();
          e.preventDefault();
        }
        return;
      }
      if (view.current.blocked) return;
      const handled = editor.dispatch(keyDownOf(e));
      if (handled) e.preventDefault();
    };
    // Releases always go through, so a Space-pan can never get stuck.
    const onUp = (e: KeyboardEvent) => {
      if (editor.dispatch({ type: "keyUp", key: e.key, code: e.code })) e.preventDefault();
    };
    const onBlur = () => editor.dispatch({ type: "keyUp", key: " ", code: "Space" });
    window.addEventListener("keydown", onDown);
    window.addEventListener("keyup", onUp);
    window.addEventListener("blur", onBlur);
    return () => {
      window.removeEventListener("keydown", onDown);
      window.removeEventListener("keyup", onUp);
      window.removeEventListener("blur", onBlur);
    };
  }, [editor, view, closeHelp]);
};

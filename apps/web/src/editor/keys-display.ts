import type { Editor } from "@labelbench/editor";

const isMac = () => typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

const NAMES: Record<string, string> = {
  ArrowUp: "↑",
  ArrowDown: "↓",
  ArrowLeft: "←",
  ArrowRight: "→",
  Escape: "Esc",
  Delete: "Del",
  Backspace: "⌫",
  Enter: "Enter",
  " ": "Space",
  Space: "Space",
};

/** "Mod+Shift+Z" -> ["Ctrl", "Shift", "Z"] (or ⌘ on a Mac): the caps of one binding. */
export const keyCaps = (spec: string, mac = isMac()): string[] => {
  const parts =
    spec === "+" ? ["+"] : spec.endsWith("++") ? [...spec.slice(0, -2).split("+"), "+"] : spec.split("+");
  return parts.map((p, i) => {
    const last = i === parts.length - 1;
    if (!last) {
      const m = p.toLowerCase();
      if (m === "mod") return mac ? "⌘" : "Ctrl";
      if (m === "shift") return mac ? "⇧" : "Shift";
      if (m === "alt") return mac ? "⌥" : "Alt";
      if (m === "ctrl") return "Ctrl";
    }
    return NAMES[p] ?? (p.length === 1 ? p.toUpperCase() : p);
  });
};

/** "B" or "Ctrl+Z": the first binding of a command, for tooltips. */
export const shortcutOf = (editor: Editor, commandId: string): string => {
  const keys = editor.commands.get(commandId)?.keys;
  const first = keys?.[0];
  return first ? keyCaps(first).join("+") : "";
};

export const withShortcut = (label: string, editor: Editor, commandId: string): string => {
  const k = shortcutOf(editor, commandId);
  return k ? `${label} (${k})` : label;
};

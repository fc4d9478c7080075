import type { Command, Editor } from "@labelbench/editor";

/** Commands the page adds to the editor's registry, so keys, buttons and the `?` overlay agree. */
export const APP_COMMANDS = {
  previous: "nav.previous",
  next: "nav.next",
  nextNew: "nav.nextNew",
  done: "image.done",
  skip: "image.skip",
  copyPrevious: "edit.copyFromPrevious",
  save: "file.save",
  help: "help.shortcuts",
  findLabel: "view.findLabel",
} as const;

export interface AppActions {
  hasPrevious(): boolean;
  hasNext(): boolean;
  hasNextNew(): boolean;
  previous(): void;
  next(): void;
  nextNew(): void;
  done(): void;
  skip(): void;
  copyFromPrevious(): void;
  saveNow(): void;
  toggleHelp(): void;
  /** Puts the focus in the label palette's filter box. */
  findLabel(): void;
  /** False while a dialog holds the keyboard. */
  enabled(): boolean;
}

/** No gesture under way: leaving the image now would drop a half-drawn polygon or a drag. */
const idle = (ed: Editor) => ed.getState().preview === null;

export const appCommands = (a: AppActions): Command[] => [
  {
    id: APP_COMMANDS.previous,
    label: "Previous image (in review: of the review queue; arrow: when nothing is selected)",
    group: "Navigation",
    // The arrows nudge a selection; they fall through to navigation only when the nudge cannot run.
    keys: ["A", "ArrowLeft"],
    fallbackFor: ["edit.nudgeLeft"],
    canRun: (ed) => a.enabled() && idle(ed) && a.hasPrevious(),
    run: () => a.previous(),
  },
  {
    id: APP_COMMANDS.next,
    label: "Next image (in review: of the review queue; arrow: when nothing is selected)",
    group: "Navigation",
    keys: ["D", "ArrowRight"],
    fallbackFor: ["edit.nudgeRight"],
    canRun: (ed) => a.enabled() && idle(ed) && a.hasNext(),
    run: () => a.next(),
  },
  {
    id: APP_COMMANDS.nextNew,
    label: "Next image still new",
    group: "Navigation",
    keys: ["N"],
    mode: "annotate",
    canRun: (ed) => a.enabled() && idle(ed) && a.hasNextNew(),
    run: () => a.nextNew(),
  },
  {
    id: APP_COMMANDS.done,
    label: "Submit (mark done), then your next image",
    group: "Navigation",
    keys: ["Mod+Enter"],
    mode: "annotate",
    canRun: (ed) => a.enabled() && idle(ed),
    run: () => a.done(),
  },
  {
    id: APP_COMMANDS.skip,
    label: "Skip image, then next image",
    group: "Navigation",
    keys: ["S"],
    mode: "annotate",
    canRun: (ed) => a.enabled() && idle(ed),
    run: () => a.skip(),
  },
  {
    id: APP_COMMANDS.copyPrevious,
    label: "Copy all shapes from the previous image",
    group: "Edit",
    keys: ["Mod+Shift+V"],
    mode: "annotate",
    canRun: (ed) => a.enabled() && idle(ed) && a.hasPrevious(),
    run: () => a.copyFromPrevious(),
  },
  {
    id: APP_COMMANDS.save,
    label: "Save now",
    group: "Edit",
    keys: ["Mod+S"],
    canRun: () => a.enabled(),
    run: () => a.saveNow(),
  },
  {
    id: APP_COMMANDS.findLabel,
    label: "Find a label: type to filter, Enter picks (relabels the selection)",
    group: "Labels",
    keys: ["/"],
    canRun: () => a.enabled(),
    run: () => a.findLabel(),
  },
  {
    id: APP_COMMANDS.help,
    label: "Keyboard shortcuts",
    group: "Help",
    keys: ["?"],
    run: () => a.toggleHelp(),
  },
];

export const registerAppCommands = (editor: Editor, actions: AppActions): (() => void) => {
  const offs = appCommands(actions).map((c) => editor.registerCommand(c));
  return () => {
    for (const off of offs) off();
  };
};

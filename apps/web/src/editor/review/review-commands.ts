import type { Command, Editor } from "@labelbench/editor";

/** The review keys: in review mode only, where they take the letters label hotkeys use elsewhere. */
export const REVIEW_COMMANDS = {
  accept: "review.accept",
  reject: "review.reject",
  fix: "review.fix",
} as const;

export interface ReviewActions {
  /** False while a dialog holds the keyboard or a decision is on its way. */
  enabled(): boolean;
  accept(): void;
  reject(): void;
  fix(): void;
}

const idle = (ed: Editor) => ed.getState().preview === null;

export const reviewCommands = (a: ReviewActions): Command[] => [
  {
    id: REVIEW_COMMANDS.accept,
    label: "Accept (after a fix: fixed and accepted), then the next image of the queue",
    group: "Review",
    keys: ["Y"],
    mode: "review",
    canRun: (ed) => a.enabled() && idle(ed),
    run: () => a.accept(),
  },
  {
    id: REVIEW_COMMANDS.reject,
    label: "Reject: pick the reasons, Enter confirms",
    group: "Review",
    keys: ["X"],
    mode: "review",
    canRun: (ed) => a.enabled() && idle(ed),
    run: () => a.reject(),
  },
  {
    id: REVIEW_COMMANDS.fix,
    label: "Fix: make the image editable (deciding then records your fix)",
    group: "Review",
    keys: ["E"],
    mode: "review",
    canRun: (ed) => a.enabled() && ed.getState().readOnly,
    run: () => a.fix(),
  },
];

export const registerReviewCommands = (editor: Editor, actions: ReviewActions): (() => void) => {
  const offs = reviewCommands(actions).map((c) => editor.registerCommand(c));
  return () => {
    for (const off of offs) off();
  };
};

import type { Command, Editor } from "@labelbench/editor";

export const PREDICTION_COMMANDS = {
  next: "predictions.next",
  previous: "predictions.previous",
  accept: "predictions.accept",
  reject: "predictions.reject",
  acceptAll: "predictions.acceptAllVisible",
} as const;

export interface PredictionCommandActions {
  /** The image has predictions drawn, and no dialog holds the keyboard. */
  hasVisible(): boolean;
  hasFocused(): boolean;
  step(dir: 1 | -1): void;
  accept(): void;
  reject(): void;
  acceptAll(): void;
}

/** No gesture under way, and the document may change. */
const editable = (ed: Editor) => ed.getState().preview === null && !ed.getState().readOnly;

/**
 * The prediction keys (issue 17), chosen beside the existing map: `]` / `[` step through the pending
 * predictions by descending score (as Tab steps through shapes), Enter accepts the focused one,
 * Delete / Backspace reject it (they delete a selected shape first: a prediction is focused only when
 * no shape is selected), Shift+Enter accepts every prediction the sliders leave visible. No letters:
 * labels take them as hotkeys, and review mode takes others.
 */
export const predictionCommands = (a: PredictionCommandActions): Command[] => [
  {
    id: PREDICTION_COMMANDS.next,
    label: "Next pending prediction (highest score first)",
    group: "Predictions",
    keys: ["]"],
    canRun: () => a.hasVisible(),
    run: () => a.step(1),
  },
  {
    id: PREDICTION_COMMANDS.previous,
    label: "Previous pending prediction",
    group: "Predictions",
    keys: ["["],
    canRun: () => a.hasVisible(),
    run: () => a.step(-1),
  },
  {
    id: PREDICTION_COMMANDS.accept,
    label: "Accept the focused prediction as a shape",
    group: "Predictions",
    keys: ["Enter"],
    canRun: (ed) => editable(ed) && a.hasFocused(),
    run: () => a.accept(),
  },
  {
    id: PREDICTION_COMMANDS.reject,
    label: "Reject the focused prediction (when no shape is selected)",
    group: "Predictions",
    keys: ["Delete", "Backspace"],
    fallbackFor: ["edit.delete"],
    canRun: (ed) => editable(ed) && a.hasFocused(),
    run: () => a.reject(),
  },
  {
    id: PREDICTION_COMMANDS.acceptAll,
    label: "Accept all predictions visible above the sliders",
    group: "Predictions",
    keys: ["Shift+Enter"],
    canRun: (ed) => editable(ed) && a.hasVisible(),
    run: () => a.acceptAll(),
  },
];

export const registerPredictionCommands = (editor: Editor, a: PredictionCommandActions): (() => void) => {
  const offs = predictionCommands(a).map((c) => editor.registerCommand(c));
  return () => {
    for (const off of offs) off();
  };
};

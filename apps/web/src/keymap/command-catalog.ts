import { attributeCommands, builtinCommands, type Command } from "@labelbench/editor";
import { appCommands } from "../editor/app-commands";
import { issueCommands } from "../editor/issues/issue-commands";
import { predictionCommands } from "../editor/predictions/prediction-commands";
import { reviewCommands } from "../editor/review/review-commands";

const never = () => false;
const nothing = () => {};

/**
 * Every command a user may rebind, with its default keys, as the editor registers them: the keymap
 * page lists these. Built from the same factories the editor uses, with actions that do nothing,
 * so a label or a default key cannot differ between the page and the editor. A new family of
 * commands adds its factory here (and its ids to KEYMAP_COMMANDS in packages/schema).
 */
export const catalogCommands = (): Command[] => [
  ...builtinCommands(),
  ...appCommands({
    hasPrevious: never,
    hasNext: never,
    hasNextNew: never,
    previous: nothing,
    next: nothing,
    nextNew: nothing,
    done: nothing,
    skip: nothing,
    copyFromPrevious: nothing,
    saveNow: nothing,
    toggleHelp: nothing,
    findLabel: nothing,
    enabled: never,
  }),
  ...reviewCommands({ enabled: never, accept: nothing, reject: nothing, fix: nothing }),
  ...issueCommands({ canPin: never, hasDiff: never, toggleDiff: nothing }),
  ...predictionCommands({
    hasVisible: never,
    hasFocused: never,
    step: nothing,
    accept: nothing,
    reject: nothing,
    acceptAll: nothing,
  }),
  ...attributeCommands(),
];

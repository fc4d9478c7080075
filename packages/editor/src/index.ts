export {
  ATTRIBUTE_KEYS,
  attributeCommands,
  builtinCommands,
  keyedAttribute,
  steppedValue,
} from "./commands.js";
export { createEditor, MAX_ZOOM, PASTE_OFFSET, READ_ONLY_MESSAGE, sharedClipboard } from "./editor.js";
export { type DocDiff, History } from "./history.js";
export { applyKeymap, commandsMeet, keyHolder, type UserKeymap } from "./keymap.js";
export {
  bindingOfEvent,
  bindingsOverlap,
  canonicalKeys,
  isMod,
  type KeyBinding,
  type KeyDownEvent,
  keysOverlap,
  matchesKeys,
  parseKeyBinding,
  parseKeySequence,
  US_KEYS,
} from "./keys.js";
export { FOCUS_MARGIN_PX, focusViewport, READABLE_OBJECT_PX, steppedObject } from "./object-focus.js";
export {
  BOX_HANDLES,
  boxHandlePosition,
  DRAG_THRESHOLD_PX,
  geometryArea,
  geometryBounds,
  HANDLE_TOLERANCE_PX,
  HIT_TOLERANCE_PX,
  MIN_BOX_IMAGE_PX,
  MIN_BOX_SCREEN_PX,
  validateGeometry,
} from "./shape-geometry.js";
export { ShapeMap } from "./shape-map.js";
export type * from "./types.js";

/** The default palette lives in packages/schema (label-rules.ts): the web's colour picker offers it first. */
export {
  DEFAULT_LABEL_PALETTE as DEFAULT_PALETTE,
  defaultLabelColor as paletteColor,
} from "@labelbench/schema";

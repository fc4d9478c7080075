import type { Editor } from "@labelbench/editor";
import type { TiledImageStats } from "./canvas/tile-renderer";
import type { RenderStats } from "./EditorCanvas";
import type { SaveQueue, SaveStatus } from "./save/save-queue";

/**
 * The test hook (excalidraw's `window.h`): e2e reads editor and save state through it. The one
 * definition: the page sets it, and the e2e helpers import this type instead of copying it.
 */
export interface LabelbenchHook {
  editor: Editor;
  readonly saveState: { imageId: number | null; status: SaveStatus | null; totalChanges: number };
  queue: SaveQueue | null;
  render: RenderStats;
  /** What the tile renderer did (gigapixel images); `firstDrawAt` times the first tiles on screen. */
  tiles: TiledImageStats;
}
declare global {
  interface Window {
    __labelbench?: LabelbenchHook;
  }
}

import type { Editor } from "@labelbench/editor";
import { useEffect } from "react";
import type { TiledImageStats } from "./canvas/tile-renderer";
import type { RenderStats } from "./EditorCanvas";
import type { SaveQueue, SaveStatus } from "./save/save-queue";
import type { EditorSession } from "./session/editor-session";

/**
 * The test hook (excalidraw's `window.h`): e2e reads editor and save state through it. The one
 * definition: the page sets it, and the e2e helpers import this type instead of copying it.
 */
export interface LabelbenchHook {
  editor: Editor;
  readonly saveState: { imageId: number | null; status: SaveStatus | null; totalChanges: number };
  readonly queue: SaveQueue | null;
  render: RenderStats;
  /** What the tile renderer did (gigapixel images); `firstDrawAt` times the first tiles on screen. */
  tiles: TiledImageStats;
}
declare global {
  interface Window {
    __labelbench?: LabelbenchHook;
  }
}

export const emptyRenderStats = (): RenderStats => ({
  shapesDrawn: 0,
  shapesDraws: 0,
  lastShapesMs: 0,
  lastShapesAt: 0,
  overlayDraws: 0,
  marksDraws: 0,
  tileRenders: 0,
  tileMs: 0,
  pictures: 0,
  urgentPictures: 0,
  settled: false,
  sharpAt: 0,
});

/** Puts the page's editor, session and figures on `window.__labelbench` while the page is shown. */
export const useTestHook = (
  editor: Editor,
  session: EditorSession,
  render: RenderStats,
  tiles: TiledImageStats,
): void => {
  useEffect(() => {
    const hook: LabelbenchHook = {
      editor,
      get saveState() {
        return session.saveState();
      },
      get queue() {
        return session.queue();
      },
      render,
      tiles,
    };
    window.__labelbench = hook;
    return () => {
      if (window.__labelbench === hook) delete window.__labelbench;
    };
  }, [editor, session, render, tiles]);
};

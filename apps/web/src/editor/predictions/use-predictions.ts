import type { Editor } from "@labelbench/editor";
import { useEffect, useMemo, useRef, useState } from "react";
import type { NoticeCenter } from "../Notices";
import { predictionApi } from "./prediction-api";
import { registerPredictionCommands } from "./prediction-commands";
import { PredictionMarks } from "./prediction-marks";
import { createPredictionSession, type PredictionSession } from "./prediction-session";

const newShapeId = (): string =>
  globalThis.crypto?.randomUUID?.() ?? `p-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/**
 * The editor page's prediction layer: one session per page, following the image of the address, its
 * marks on the canvas, and its keys. `blocked` is read at each key (a dialog open).
 */
export const usePredictions = (
  editor: Editor,
  imageId: number,
  notices: NoticeCenter,
  blocked: () => boolean,
  saves: { flush(): void; reloadAnnotations(): void },
): { session: PredictionSession; marks: readonly PredictionMarks[] } => {
  const latest = useRef({ blocked, saves });
  latest.current = { blocked, saves };
  const [session] = useState(() =>
    createPredictionSession({
      api: predictionApi,
      editor,
      notify: notices.push,
      newId: newShapeId,
      flushSaves: () => latest.current.saves.flush(),
      reloadAnnotations: () => latest.current.saves.reloadAnnotations(),
    }),
  );
  useEffect(() => () => session.dispose(), [session]);
  const marks = useMemo(
    () => [new PredictionMarks(session, editor, "all"), new PredictionMarks(session, editor, "focus")],
    [session, editor],
  );
  useEffect(() => session.show(imageId), [session, imageId]);
  useEffect(
    () =>
      registerPredictionCommands(editor, {
        hasVisible: () => !latest.current.blocked() && session.visible().length > 0,
        hasFocused: () => !latest.current.blocked() && session.focused() !== null,
        step: (dir) => session.step(dir),
        accept: () => session.accept(),
        reject: () => void session.reject(),
        acceptAll: () => session.acceptAllVisible(),
      }),
    [editor, session],
  );
  return { session, marks };
};

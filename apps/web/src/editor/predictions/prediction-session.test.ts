import { createEditor, type Editor, US_KEYS } from "@labelbench/editor";
import type { Label, Prediction, PredictionDecisions } from "@labelbench/schema";
import { afterEach, describe, expect, test, vi } from "vitest";
import { registerAppCommands } from "../app-commands";
import { registerIssueCommands } from "../issues/issue-commands";
import { registerReviewCommands } from "../review/review-commands";
import { groupCommands } from "../ShortcutsOverlay";
import { PREDICTION_COMMANDS, registerPredictionCommands } from "./prediction-commands";
import { createPredictionSession, type PredictionApi } from "./prediction-session";
import { box, makeImagePredictions, makePrediction, makeRun } from "./test-fixtures";

const label = (id: number, name: string, hotkey: string | null = null): Label => ({
  id,
  projectId: 1,
  name,
  color: "#22c55e",
  hotkey,
  position: id,
  shapeTypes: ["box", "polygon"],
  scope: "both",
  attributes: [],
  annotationCount: 0,
});

/** A server with one image's predictions; decisions change their state as the real one does. */
const fakeServer = (predictions: Prediction[]) => {
  const state = new Map(predictions.map((p) => [p.id, p]));
  const decisions: PredictionDecisions[] = [];
  const refuse = { next: null as string | null };
  const api: PredictionApi = {
    imagePredictions: async () => makeImagePredictions([...state.values()]),
    decide: async (_imageId, body) => {
      decisions.push(body);
      if (refuse.next) {
        const m = refuse.next;
        refuse.next = null;
        throw new Error(m);
      }
      const out: Prediction[] = [];
      for (const id of body.reject ?? []) out.push({ ...(state.get(id) as Prediction), state: "rejected" });
      for (const id of body.reopen ?? []) out.push({ ...(state.get(id) as Prediction), state: "pending" });
      for (const id of body.acceptTags ?? [])
        out.push({ ...(state.get(id) as Prediction), state: "accepted" });
      for (const p of out) state.set(p.id, p);
      return out;
    },
    run: async (runId) => makeRun({ id: runId, counts: { pending: 1, accepted: 2, edited: 3, rejected: 4 } }),
    calibration: async () => {
      throw new Error("not used");
    },
  };
  return { api, decisions, refuse, state };
};

const setup = async (predictions: Prediction[]) => {
  const editor = createEditor({
    idFactory: (() => {
      let n = 0;
      return () => `s-${++n}`;
    })(),
  });
  editor.load({
    image: { id: 1, width: 1000, height: 800 },
    labels: [label(1, "car", "1"), label(2, "person", "2")],
    set: { annotations: [], tags: [] },
  });
  editor.setStageSize({ width: 1000, height: 800 });
  const server = fakeServer(predictions);
  const notify = vi.fn();
  const flushSaves = vi.fn();
  const reloadAnnotations = vi.fn();
  let n = 0;
  const session = createPredictionSession({
    api: server.api,
    editor,
    notify,
    newId: () => `acc-${++n}`,
    flushSaves,
    reloadAnnotations,
    refreshDelayMs: 0,
  });
  session.show(1);
  await vi.waitFor(() => expect(session.store.getState().data).not.toBeNull());
  return { editor, session, server, notify, flushSaves, reloadAnnotations };
};

const ids = (xs: readonly { id: number }[]) => xs.map((x) => x.id);
const shapes = (editor: Editor) => [...editor.getState().doc.shapes.values()];

const three = () => [
  makePrediction({ id: 1, score: 0.4, geometry: box(10, 10, 50, 40) }),
  makePrediction({ id: 2, score: 0.9, geometry: box(100, 100, 50, 40) }),
  makePrediction({ id: 3, score: 0.7, geometry: box(300, 300, 50, 40), labelId: 2 }),
];

afterEach(() => vi.useRealTimers());

describe("the prediction session on the editor", () => {
  test("stepping goes by descending score, focuses and centres, and lets a selected shape go", async () => {
    const { editor, session } = await setup(three());
    expect(ids(session.visible())).toEqual([2, 3, 1]);
    expect(session.step(1)?.id).toBe(2);
    expect(session.store.getState().focusId).toBe(2);
    // Centred on the stage (500, 400 is the middle).
    const v = editor.getState().viewport;
    expect(125 * v.scale + v.offsetX).toBeCloseTo(500, 0);
    expect(session.step(1)?.id).toBe(3);
    expect(session.step(-1)?.id).toBe(2);
    // Picking a shape lets the prediction go.
    editor.addShapes([{ id: "mine", labelId: 1, geometry: box(600, 600, 20, 20) }]);
    expect(session.store.getState().focusId).toBeNull();
  });

  test("accept: the prediction becomes a shape carrying predictionId, leaves the layer, focus moves on; undo brings it back", async () => {
    const { editor, session } = await setup(three());
    session.step(1);
    expect(session.accept()).toBe(true);
    expect(shapes(editor)).toEqual([
      { id: "acc-1", labelId: 1, geometry: box(100, 100, 50, 40), predictionId: 2 },
    ]);
    expect(editor.toAnnotationInputs()[0]?.predictionId).toBe(2);
    expect(ids(session.visible())).toEqual([3, 1]);
    expect(session.store.getState().focusId).toBe(3);
    editor.undo();
    expect(shapes(editor)).toEqual([]);
    expect(ids(session.visible())).toEqual([2, 3, 1]);
  });

  test("a prediction accepted, undone (its shape deleted: rejected on the server) is reopened before it is a shape again", async () => {
    const { editor, session, server, flushSaves } = await setup(three());
    session.accept(2);
    editor.undo();
    expect(server.decisions).toEqual([]);
    editor.redo();
    expect(flushSaves).toHaveBeenCalled();
    await vi.waitFor(() => expect(server.decisions).toEqual([{ reopen: [2] }]));
    editor.undo();
    session.accept(2);
    await vi.waitFor(() => expect(server.decisions).toEqual([{ reopen: [2] }, { reopen: [2] }]));
    expect(shapes(editor).map((s) => s.predictionId)).toEqual([2]);
  });

  test("through the keys (inside the editor's key batch): Enter accepts and the focus moves on, the new shape not selected", async () => {
    const { editor, session } = await setup(three());
    registerPredictionCommands(editor, {
      hasVisible: () => session.visible().length > 0,
      hasFocused: () => session.focused() !== null,
      step: (d) => session.step(d),
      accept: () => session.accept(),
      reject: () => void session.reject(),
      acceptAll: () => session.acceptAllVisible(),
    });
    const key = (key: string) =>
      editor.dispatch({
        type: "keyDown",
        key,
        code: US_KEYS[key]?.code ?? key,
        shift: false,
        ctrl: false,
        alt: false,
        repeat: false,
      });
    key("]");
    expect(session.store.getState().focusId).toBe(2);
    key("Enter");
    expect(shapes(editor).map((s) => s.predictionId)).toEqual([2]);
    expect(session.store.getState().focusId).toBe(3);
    expect(editor.getState().selection.size).toBe(0);
  });

  test("accept as another label (an edit): the shape takes that label and stays selected", async () => {
    const { editor, session } = await setup(three());
    session.focus(1);
    expect(session.accept(1, 2)).toBe(true);
    expect(shapes(editor)[0]).toMatchObject({ labelId: 2, predictionId: 1 });
    expect([...editor.getState().selection]).toEqual(["acc-1"]);
    expect(session.store.getState().focusId).toBeNull();
  });

  test("reject sends the decision, hides it, moves on; undo reopens it and redo rejects again", async () => {
    const { editor, session, server } = await setup(three());
    session.step(1);
    expect(await session.reject()).toBe(true);
    expect(server.decisions).toEqual([{ reject: [2] }]);
    expect(ids(session.visible())).toEqual([3, 1]);
    expect(session.store.getState().focusId).toBe(3);
    editor.undo();
    expect(ids(session.visible())).toEqual([2, 3, 1]);
    await vi.waitFor(() => expect(server.decisions).toEqual([{ reject: [2] }, { reopen: [2] }]));
    editor.redo();
    expect(ids(session.visible())).toEqual([3, 1]);
    await vi.waitFor(() => expect(server.decisions).toHaveLength(3));
    expect(server.decisions[2]).toEqual({ reject: [2] });
  });

  test("a refused reject shows the prediction again and says why; nothing to undo", async () => {
    const { editor, session, server, notify } = await setup(three());
    server.refuse.next = "Prediction 2 is not pending (accepted by ann@example.com)";
    expect(await session.reject(2)).toBe(false);
    expect(ids(session.visible())).toEqual([2, 3, 1]);
    expect(notify).toHaveBeenCalledWith("error", expect.stringContaining("not pending"));
    expect(editor.getState().canUndo).toBe(false);
  });

  test("accept all visible above the slider: one change (one save), one undo", async () => {
    const { editor, session } = await setup(three());
    session.setRunMin(1, 0.5);
    expect(ids(session.visible())).toEqual([2, 3]);
    expect(session.acceptAllVisible()).toBe(2);
    expect(shapes(editor).map((s) => s.predictionId)).toEqual([2, 3]);
    expect(ids(session.visible())).toEqual([]);
    const version = editor.getState().docVersion;
    editor.undo();
    expect(editor.getState().docVersion).toBe(version + 1);
    expect(shapes(editor)).toEqual([]);
  });

  test("a slider that hides the focused prediction lets it go", async () => {
    const { session } = await setup(three());
    session.focus(1);
    session.setRunMin(1, 0.5);
    expect(session.store.getState().focusId).toBeNull();
  });

  test("dragging the focused prediction accepts it and the drag moves the new shape (an edit)", async () => {
    const { editor, session } = await setup(three());
    editor.setViewport({ scale: 1, offsetX: 0, offsetY: 0 });
    session.focus(2);
    const at = { x: 120, y: 120 } as Parameters<typeof session.pointer.down>[0];
    expect(session.pointer.down(at, 0)).toBe(true);
    // A small wobble is still a click.
    expect(session.pointer.move({ x: 121, y: 120 } as typeof at)).toBe(true);
    expect(shapes(editor)).toEqual([]);
    expect(session.pointer.move({ x: 140, y: 130 } as typeof at)).toBe(true);
    expect(session.pointer.up()).toBe(false);
    editor.dispatch({
      type: "pointerUp",
      screen: { x: 140, y: 130 } as typeof at,
      button: 0,
      shift: false,
      alt: false,
      ctrl: false,
    });
    expect(shapes(editor)).toEqual([
      { id: "acc-1", labelId: 1, geometry: box(120, 110, 50, 40), predictionId: 2 },
    ]);
  });

  test("a click on a prediction focuses it; a click on nothing lets it go; the editor's shapes come first", async () => {
    const { editor, session } = await setup(three());
    editor.setViewport({ scale: 1, offsetX: 0, offsetY: 0 });
    const pt = (x: number, y: number) => ({ x, y }) as Parameters<typeof session.pointer.down>[0];
    expect(session.pointer.down(pt(320, 320), 0)).toBe(true);
    expect(session.store.getState().focusId).toBe(3);
    expect(session.pointer.down(pt(900, 700), 0)).toBe(false);
    expect(session.store.getState().focusId).toBeNull();
    editor.addShapes([{ id: "mine", labelId: 1, geometry: box(300, 300, 60, 60) }]);
    editor.select([]);
    expect(session.pointer.down(pt(320, 320), 0)).toBe(false);
  });

  test("a tag prediction: accepted through the server after the saves, then the annotations are read again", async () => {
    const { session, server, flushSaves, reloadAnnotations } = await setup([
      makePrediction({ id: 8, score: 0.8, geometry: null, labelId: 2 }),
    ]);
    expect(ids(session.suggestedTags())).toEqual([8]);
    expect(await session.acceptTag(8)).toBe(true);
    expect(flushSaves).toHaveBeenCalled();
    expect(server.decisions).toEqual([{ acceptTags: [8] }]);
    expect(reloadAnnotations).toHaveBeenCalled();
    expect(ids(session.suggestedTags())).toEqual([]);
  });

  test("after decisions the runs' counts are read again", async () => {
    const { session } = await setup(three());
    await session.reject(1);
    await vi.waitFor(() => expect(session.store.getState().runs.get(1)?.counts.rejected).toBe(4));
  });
});

describe("the prediction keys", () => {
  const noop = () => {};
  test("they register beside every other key (app, review, issues, labels) and show in the overlay", () => {
    const editor = createEditor();
    editor.load({
      image: { id: 1, width: 100, height: 100 },
      labels: [label(1, "car", "1"), label(2, "person", "q")],
      set: { annotations: [], tags: [] },
    });
    registerAppCommands(editor, {
      enabled: () => true,
      hasPrevious: () => true,
      hasNext: () => true,
      hasNextNew: () => true,
      previous: noop,
      next: noop,
      nextNew: noop,
      done: noop,
      skip: noop,
      copyFromPrevious: noop,
      saveNow: noop,
      toggleHelp: noop,
      findLabel: noop,
    });
    registerReviewCommands(editor, { enabled: () => true, accept: noop, reject: noop, fix: noop });
    registerIssueCommands(editor, { canPin: () => true, hasDiff: () => true, toggleDiff: noop });
    const calls: string[] = [];
    registerPredictionCommands(editor, {
      hasVisible: () => true,
      hasFocused: () => true,
      step: (d) => calls.push(`step${d}`),
      accept: () => calls.push("accept"),
      reject: () => calls.push("reject"),
      acceptAll: () => calls.push("acceptAll"),
    });
    const listed = groupCommands(editor.commands.values(), "annotate").find(([g]) => g === "Predictions");
    expect(listed?.[1].map((c) => c.id)).toEqual(Object.values(PREDICTION_COMMANDS));
    const key = (key: string, shift = false) =>
      editor.dispatch({
        type: "keyDown",
        key,
        code: US_KEYS[key]?.code ?? key,
        shift,
        ctrl: false,
        alt: false,
        repeat: false,
      });
    key("]");
    key("[");
    key("Enter");
    key("Delete");
    key("Enter", true);
    expect(calls).toEqual(["step1", "step-1", "accept", "reject", "acceptAll"]);
  });

  test("Delete deletes a selected shape first; it rejects the focused prediction only when no shape is selected", () => {
    const editor = createEditor();
    editor.load({
      image: { id: 1, width: 100, height: 100 },
      labels: [label(1, "car")],
      set: { annotations: [{ id: "a", labelId: 1, geometry: box(1, 1, 10, 10) }], tags: [] },
    });
    const calls: string[] = [];
    registerPredictionCommands(editor, {
      hasVisible: () => true,
      hasFocused: () => true,
      step: noop,
      accept: noop,
      reject: () => calls.push("reject"),
      acceptAll: noop,
    });
    editor.select(["a"]);
    editor.dispatch({
      type: "keyDown",
      key: "Delete",
      code: "Delete",
      shift: false,
      ctrl: false,
      alt: false,
      repeat: false,
    });
    expect(editor.getState().doc.shapes.size).toBe(0);
    expect(calls).toEqual([]);
    editor.dispatch({
      type: "keyDown",
      key: "Delete",
      code: "Delete",
      shift: false,
      ctrl: false,
      alt: false,
      repeat: false,
    });
    expect(calls).toEqual(["reject"]);
  });
});

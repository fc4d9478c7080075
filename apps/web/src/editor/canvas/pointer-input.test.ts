import type { EditorEvent } from "@labelbench/editor";
import { describe, expect, it } from "vitest";
import { PointerInput } from "./pointer-input";

const setup = () => {
  const stage = document.createElement("div");
  const capture = document.createElement("div");
  stage.appendChild(capture);
  document.body.appendChild(stage);
  stage.getBoundingClientRect = () => ({ left: 10, top: 20 }) as DOMRect;
  const events: EditorEvent[] = [];
  const inputs = new Set<() => void>();
  let wheelSteps = 0;
  const input = new PointerInput(
    stage,
    capture,
    {
      dispatch: (e) => {
        events.push(e);
        return true;
      },
    },
    { requestInput: (apply) => inputs.add(apply) },
    (apply) => {
      wheelSteps += 1;
      apply();
    },
  );
  const frame = () => {
    for (const apply of [...inputs]) apply();
    inputs.clear();
  };
  return { stage, input, events, frame, wheelSteps: () => wheelSteps };
};

const wheel = (deltaY: number, init: WheelEventInit = {}) =>
  new WheelEvent("wheel", { deltaY, clientX: 110, clientY: 70, cancelable: true, ...init });

describe("PointerInput: DOM events to editor events", () => {
  it("sums the wheel steps of a frame into one zoom at its start, in stage coordinates", () => {
    const h = setup();
    const first = wheel(10);
    h.stage.dispatchEvent(first);
    h.stage.dispatchEvent(wheel(5));
    h.stage.dispatchEvent(wheel(1, { deltaMode: 1 }));
    // The page never scrolls under the stage.
    expect(first.defaultPrevented).toBe(true);
    expect(h.events).toEqual([]);
    h.frame();
    expect(h.events).toEqual([{ type: "wheel", screen: { x: 100, y: 50 }, deltaY: 31, ctrl: false }]);
    expect(h.wheelSteps()).toBe(1);
  });

  it("does not sum a pinch (ctrl) into plain steps, and applies a pending zoom before a click", () => {
    const h = setup();
    h.stage.dispatchEvent(wheel(10));
    h.stage.dispatchEvent(wheel(2, { ctrlKey: true }));
    expect(h.events).toEqual([{ type: "wheel", screen: { x: 100, y: 50 }, deltaY: 10, ctrl: false }]);
    h.stage.dispatchEvent(new MouseEvent("dblclick", { clientX: 30, clientY: 40, shiftKey: true }));
    expect(h.events.slice(1)).toEqual([
      { type: "wheel", screen: { x: 100, y: 50 }, deltaY: 2, ctrl: true },
      { type: "doubleClick", screen: { x: 20, y: 20 }, button: 0, shift: true, alt: false, ctrl: false },
    ]);
  });

  it("keeps the context menu and middle-button autoscroll off the stage; dispose unbinds", () => {
    const h = setup();
    const menu = new MouseEvent("contextmenu", { cancelable: true });
    h.stage.dispatchEvent(menu);
    expect(menu.defaultPrevented).toBe(true);
    const middle = new MouseEvent("mousedown", { button: 1, cancelable: true });
    h.stage.dispatchEvent(middle);
    expect(middle.defaultPrevented).toBe(true);
    h.input.dispose();
    h.stage.dispatchEvent(wheel(10));
    h.frame();
    expect(h.events).toEqual([]);
  });
});

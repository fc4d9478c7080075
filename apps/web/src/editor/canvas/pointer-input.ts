import type { Editor, PointerInput as EditorPointer } from "@labelbench/editor";
import { type ScreenPoint, screenPoint } from "@labelbench/geometry";
import type { FrameScheduler } from "./frame-scheduler";

const WHEEL_LINE_PX = 16;
const WHEEL_PAGE_PX = 400;

/**
 * Turns the stage's DOM pointer, wheel and mouse events into editor events. The stage box gives the
 * coordinates; `capture` (the topmost element, which pointer events hit) takes the pointer capture:
 * capturing on it keeps the target, so a press fires no pointerout/over (and mouseout/over) pairs
 * that a capture on the stage would.
 *
 * Wheel steps arrive several per frame, each in a task of its own; dispatched one by one, each
 * re-rendered the zoom readouts and re-laid out the page (1.5-4 ms a step). They are summed and
 * applied once at the start of the next frame (zoom factors multiply: exp(a) * exp(b) = exp(a + b)),
 * through `wheelStep` (the image layer scales its picture for every wheel step, image-camera.ts).
 */
/** A layer beside the editor's document that may take a press (and the drag that follows) first. */
export interface PressIntercept {
  down(screen: ScreenPoint, button: number): boolean;
  move(screen: ScreenPoint): boolean;
  up(): boolean;
}

export class PointerInput {
  private wheel: { screen: ScreenPoint; deltaY: number; ctrl: boolean } | null = null;
  private readonly unbind: () => void;

  constructor(
    private readonly stage: HTMLElement,
    private readonly capture: HTMLElement,
    private readonly editor: Pick<Editor, "dispatch">,
    private readonly frames: Pick<FrameScheduler, "requestInput">,
    private readonly wheelStep: (apply: () => void) => void = (apply) => apply(),
    /** Presses something beside the editor's shapes takes first (the prediction layer); true: taken. */
    private readonly intercept: () => PressIntercept | null = () => null,
  ) {
    const listeners: [string, (e: never) => void, AddEventListenerOptions?][] = [
      ["pointerdown", this.onDown],
      ["pointermove", this.onMove],
      ["pointerup", this.onUp],
      ["pointercancel", this.onUp],
      ["pointerleave", this.onLeave],
      ["dblclick", this.onDouble],
      // Non-passive, so that it can preventDefault.
      ["wheel", this.onWheel, { passive: false }],
      ["contextmenu", this.onContext],
      ["auxclick", this.onAux],
      ["mousedown", this.onAux],
    ];
    for (const [type, fn, opts] of listeners) stage.addEventListener(type, fn as EventListener, opts);
    this.unbind = () => {
      for (const [type, fn] of listeners) stage.removeEventListener(type, fn as EventListener);
    };
  }

  dispose(): void {
    this.unbind();
    this.wheel = null;
  }

  private toScreen(e: { clientX: number; clientY: number }): ScreenPoint {
    const r = this.stage.getBoundingClientRect();
    return screenPoint(e.clientX - r.left, e.clientY - r.top);
  }

  private pointer(e: PointerEvent | MouseEvent): EditorPointer {
    return {
      screen: this.toScreen(e),
      button: e.button === 1 || e.button === 2 ? e.button : 0,
      shift: e.shiftKey,
      alt: e.altKey,
      ctrl: e.ctrlKey || e.metaKey,
    };
  }

  /** Applies the wheel steps summed so far (at the start of a frame, or before another event). */
  private readonly applyWheel = () => {
    const w = this.wheel;
    this.wheel = null;
    if (!w) return;
    this.wheelStep(() => this.editor.dispatch({ type: "wheel", ...w }));
  };

  private readonly onWheel = (e: WheelEvent) => {
    const deltaY =
      e.deltaMode === 1 ? e.deltaY * WHEEL_LINE_PX : e.deltaMode === 2 ? e.deltaY * WHEEL_PAGE_PX : e.deltaY;
    const ctrl = e.ctrlKey || e.metaKey;
    // The stage never scrolls the page: every wheel over it is the editor's.
    e.preventDefault();
    // Pinch (ctrl) and plain steps zoom at different rates: do not sum one into the other.
    if (this.wheel && this.wheel.ctrl !== ctrl) this.applyWheel();
    this.wheel = { screen: this.toScreen(e), deltaY: (this.wheel?.deltaY ?? 0) + deltaY, ctrl };
    this.frames.requestInput(this.applyWheel);
  };

  private readonly onDown = (e: PointerEvent) => {
    // A pending wheel zoom first: the pointer event is read against the camera it sees.
    if (this.wheel) this.applyWheel();
    if (e.button > 2) return;
    // Keys belong to the canvas again once the user works on it.
    if (document.activeElement instanceof HTMLElement && document.activeElement !== document.body)
      document.activeElement.blur();
    this.capture.setPointerCapture(e.pointerId);
    if (this.intercept()?.down(this.toScreen(e), e.button)) {
      e.preventDefault();
      return;
    }
    if (this.editor.dispatch({ type: "pointerDown", ...this.pointer(e) }) || e.button === 1)
      e.preventDefault();
  };

  private readonly onMove = (e: PointerEvent) => {
    if (this.wheel) this.applyWheel();
    if (this.intercept()?.move(this.toScreen(e))) {
      e.preventDefault();
      return;
    }
    if (this.editor.dispatch({ type: "pointerMove", ...this.pointer(e) })) e.preventDefault();
  };

  private readonly onUp = (e: PointerEvent) => {
    if (this.wheel) this.applyWheel();
    if (this.capture.hasPointerCapture(e.pointerId)) this.capture.releasePointerCapture(e.pointerId);
    if (this.intercept()?.up()) {
      e.preventDefault();
      return;
    }
    if (this.editor.dispatch({ type: "pointerUp", ...this.pointer(e) })) e.preventDefault();
  };

  private readonly onLeave = (e: PointerEvent) => {
    if (!this.capture.hasPointerCapture(e.pointerId)) this.editor.dispatch({ type: "pointerLeave" });
  };

  private readonly onDouble = (e: MouseEvent) => {
    if (this.wheel) this.applyWheel();
    if (this.editor.dispatch({ type: "doubleClick", ...this.pointer(e) })) e.preventDefault();
  };

  private readonly onContext = (e: MouseEvent) => e.preventDefault();

  /** Middle-button autoscroll would fight the pan. */
  private readonly onAux = (e: MouseEvent) => {
    if (e.button === 1) e.preventDefault();
  };
}

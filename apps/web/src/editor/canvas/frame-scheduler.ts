/**
 * One animation frame callback and one time budget per frame for every surface of the canvas.
 *
 * The image layer (strips of the next picture) and the shape layer (tiles, the next picture) each did
 * work ahead of need within a budget of their own, so a frame in which both worked paid both budgets
 * (3 + 2.5 ms) on top of what the browser itself spends. Here each producer asks for the frame; in the
 * frame they run one after the other and draw from one shared budget: a unit of optional work starts
 * only while `budget.left()` says so. Work that must show in this frame (an edit, a pan that outran
 * the picture) does not ask. A producer that got no time in a frame goes first in the next one, so
 * neither layer can starve the other.
 */

/** Main-thread time per frame for work not needed on screen yet, shared by all producers. */
export const FRAME_BUDGET_MS = 2;

export interface FrameBudget {
  /** When this frame's optional work must stop (performance.now() time). */
  readonly end: number;
  /**
   * When the frame began (the animation frame's timestamp): a producer allowed more than the shared
   * budget (the shape layer catching up after a gesture) measures its deadline from here, so time the
   * frame already spent (input, a redraw before it) counts against it.
   */
  readonly frameStart: number;
  /** Whether a unit of optional work may start now. */
  left(): boolean;
  /** Time left (ms), never below 0. */
  remaining(): number;
  /** Says that work was done this frame (a producer that did some is not moved to the front). */
  spend(): void;
}

/** Does its work for this frame; returns true when it wants the next frame too. */
export type Producer = (budget: FrameBudget) => boolean;

export interface FrameSchedulerOptions {
  budgetMs?: number;
  now?: () => number;
  /** Calls back with the frame's start time (requestAnimationFrame's timestamp) when it has one. */
  requestFrame?: (cb: (frameStart?: number) => void) => number;
  cancelFrame?: (id: number) => void;
}

export class FrameScheduler {
  /** Producers in the order they run this frame. */
  private order: Producer[] = [];
  private wanted = new Set<Producer>();
  /** Input to apply at the start of the next frame, before any producer draws. */
  private inputs = new Set<() => void>();
  private raf = 0;
  private readonly budgetMs: number;
  private readonly now: () => number;
  private readonly requestFrame: (cb: (frameStart?: number) => void) => number;
  private readonly cancelFrame: (id: number) => void;
  /** Inside run(): requests made now are looked at when it ends. */
  private running = false;
  /** Frames run (for tests and stats). */
  frames = 0;

  constructor(opts: FrameSchedulerOptions = {}) {
    this.budgetMs = opts.budgetMs ?? FRAME_BUDGET_MS;
    this.now = opts.now ?? (() => performance.now());
    this.requestFrame = opts.requestFrame ?? ((cb) => requestAnimationFrame(cb));
    this.cancelFrame = opts.cancelFrame ?? ((id) => cancelAnimationFrame(id));
  }

  /** Asks for `p` to run in the next frame (once, however often it asks). */
  request(p: Producer): void {
    if (!this.order.includes(p)) this.order.push(p);
    this.wanted.add(p);
    if (this.raf === 0 && !this.running) this.raf = this.requestFrame((t) => this.run(t));
  }

  /**
   * Runs `apply` at the start of the next frame, before the producers (once however often asked):
   * input that arrives several times a frame (wheel steps) is applied once, and what it changes is
   * drawn in that same frame.
   */
  requestInput(apply: () => void): void {
    this.inputs.add(apply);
    if (this.raf === 0 && !this.running) this.raf = this.requestFrame((t) => this.run(t));
  }

  /** Whether `p` will run in the next frame. */
  isRequested(p: Producer): boolean {
    return this.wanted.has(p);
  }

  /** Takes back a request (the producer's work was done or dropped some other way). */
  cancel(p: Producer): void {
    this.wanted.delete(p);
    this.order = this.order.filter((x) => x !== p);
    if (this.wanted.size === 0 && this.inputs.size === 0 && this.raf !== 0) {
      this.cancelFrame(this.raf);
      this.raf = 0;
    }
  }

  dispose(): void {
    if (this.raf !== 0) this.cancelFrame(this.raf);
    this.raf = 0;
    this.wanted.clear();
    this.inputs.clear();
    this.order = [];
  }

  /**
   * Runs one frame now (the animation frame callback, with its timestamp; tests call it directly).
   * Without a timestamp the frame is taken to start now.
   */
  run(frameStart?: number): void {
    this.raf = 0;
    this.frames += 1;
    this.running = true;
    try {
      this.runOnce(frameStart);
    } finally {
      this.running = false;
    }
    if ((this.wanted.size > 0 || this.inputs.size > 0) && this.raf === 0)
      this.raf = this.requestFrame((t) => this.run(t));
  }

  private runOnce(frameStart: number | undefined): void {
    const begun = frameStart ?? this.now();
    const inputs = [...this.inputs];
    this.inputs.clear();
    for (const apply of inputs) apply();
    const start = this.now();
    const end = start + this.budgetMs;
    const now = this.now;
    const starved: Producer[] = [];
    const due = this.order.filter((p) => this.wanted.has(p));
    this.wanted.clear();
    for (const p of due) {
      let spent = false;
      const budget: FrameBudget = {
        end,
        frameStart: Math.min(begun, start),
        left: () => now() < end,
        remaining: () => Math.max(0, end - now()),
        spend: () => {
          spent = true;
        },
      };
      if (!p(budget)) continue;
      this.wanted.add(p);
      // Wanted to work, found the budget gone: first in line next frame.
      if (!spent) starved.push(p);
    }
    if (starved.length > 0) this.order = [...starved, ...this.order.filter((p) => !starved.includes(p))];
  }
}

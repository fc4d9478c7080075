import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from "@playwright/test";
import { CHROMIUM_ARGS, findChromium } from "../e2e/chromium.js";
import { ADMIN, type RunningServer } from "./server.js";
import {
  frameWork,
  interactionWork,
  longTasks,
  parseTrace,
  TRACE_CATEGORIES,
  type TraceEvent,
  type Work,
} from "./trace.js";

/** Headless Chromium with software rendering (no GPU), like the e2e suite. */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });

/**
 * tsx compiles with esbuild's keepNames, which wraps named inner functions in `__name(...)`; functions
 * handed to page.evaluate/addInitScript travel as source text, so the page needs that helper too.
 */
export const ESBUILD_SHIM = "globalThis.__name ??= (fn) => fn;";

/** A browser context signed in as the bench admin: logged in through the API, session cookie handed over. */
export const signedInContext = async (
  browser: Browser,
  s: RunningServer,
  viewport: { width: number; height: number },
): Promise<BrowserContext> => {
  const res = await fetch(`${s.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  if (!res.ok) throw new Error(`bench admin could not sign in: ${res.status} ${await res.text()}`);
  const pair = res.headers.get("set-cookie")?.split(";")[0] ?? "";
  const eq = pair.indexOf("=");
  if (eq <= 0) throw new Error("sign-in reply carried no session cookie");
  const context = await browser.newContext({ viewport });
  await context.addInitScript({ content: ESBUILD_SHIM });
  await context.addCookies([{ name: pair.slice(0, eq), value: pair.slice(eq + 1), url: s.url }]);
  return context;
};

/** What the in-page monitor saw during a gesture. */
export interface PageFrames {
  /** rAF intervals (ms). */
  intervals: number[];
  /** Long tasks (PerformanceObserver 'longtask', ≥ 50 ms) that started during the gesture, in ms. */
  longTasks: number[];
}

declare global {
  interface Window {
    __benchMonitor?: {
      longTasks: { start: number; duration: number }[];
      intervals: number[] | null;
      from: number;
    };
  }
}

/** Installed before the page's scripts: records long tasks from navigation on. */
export const MONITOR_INIT = () => {
  const m = { longTasks: [] as { start: number; duration: number }[], intervals: null, from: 0 };
  window.__benchMonitor = m;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) m.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: "longtask", buffered: true });
};

const startMonitor = (page: Page, mark: string) =>
  page.evaluate((mark) => {
    const m = window.__benchMonitor;
    if (!m) throw new Error("bench monitor not installed");
    const intervals: number[] = [];
    m.intervals = intervals;
    m.from = performance.now();
    let last = -1;
    const tick = (t: number) => {
      if (m.intervals !== intervals) return;
      if (last >= 0) intervals.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    performance.mark(mark);
  }, mark);

const stopMonitor = (page: Page, mark: string): Promise<PageFrames> =>
  page.evaluate((mark) => {
    performance.mark(mark);
    const m = window.__benchMonitor;
    if (!m?.intervals) throw new Error("bench monitor not running");
    const intervals = m.intervals;
    m.intervals = null;
    return {
      intervals,
      longTasks: m.longTasks.filter((t) => t.start >= m.from).map((t) => t.duration),
    };
  }, mark);

const FRAME_MS = 1000 / 60;

/** Frames the display showed nothing new for: every rAF interval longer than one vsync, in vsyncs missed. */
export const droppedFrames = (intervals: readonly number[]): number =>
  intervals.reduce((n, dt) => n + Math.max(0, Math.round(dt / FRAME_MS) - 1), 0);

export interface GestureResult {
  /** Main-thread work per frame from the trace: CPU time in ms (see trace.ts). */
  work: number[];
  /** The same frames' wall time in ms (includes waiting for a core on a busy machine). */
  wallWork: number[];
  /** Work (CPU ms) from each watched DOM event to its frame, when asked for; `interactionsWall` likewise. */
  interactions: number[];
  interactionsWall: number[];
  /** Long tasks (≥ 50 ms wall time) from the observer or the trace, in ms. */
  longTasks: number[];
  /** Tasks of ≥ 50 ms CPU time: the long tasks that are the page's own doing on a busy machine. */
  longTasksCpu: number[];
  dropped: number;
  frames: number;
}

let markSeq = 0;

/** Runs `drive` under a performance trace and the in-page frame monitor; returns work per frame. */
export const measureGesture = async (
  browser: Browser,
  page: Page,
  drive: () => Promise<void>,
  opts: { interaction?: string; name?: string } = {},
): Promise<GestureResult> => {
  const id = ++markSeq;
  const start = `lb-bench-start-${id}`;
  const end = `lb-bench-end-${id}`;
  // BENCH_TRACE_CATEGORIES adds categories (e.g. invalidation tracking) when digging into a result.
  const extra = process.env.BENCH_TRACE_CATEGORIES?.split(",").filter(Boolean) ?? [];
  await browser.startTracing(page, { categories: [...TRACE_CATEGORIES, ...extra] });
  let events: TraceEvent[];
  let seen: PageFrames;
  try {
    await startMonitor(page, start);
    await drive();
    // Let the last input's frame land inside the window.
    await page.evaluate(
      () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null)))),
    );
    seen = await stopMonitor(page, end);
  } finally {
    const buf = await browser.stopTracing();
    // BENCH_TRACE_DIR keeps every gesture's trace, to open in the DevTools performance panel.
    const dir = process.env.BENCH_TRACE_DIR;
    if (dir) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${String(id).padStart(2, "0")}-${opts.name ?? "gesture"}.json`), buf);
    }
    events = parseTrace(buf);
  }
  const traced = longTasks(events, start, end);
  const frames: Work[] = frameWork(events, start, end);
  const interactions: Work[] = opts.interaction ? interactionWork(events, start, end, opts.interaction) : [];
  return {
    work: frames.map((w) => w.cpu),
    wallWork: frames.map((w) => w.wall),
    interactions: interactions.map((w) => w.cpu),
    interactionsWall: interactions.map((w) => w.wall),
    // The observer and the trace see the same tasks; take whichever saw more so nothing hides.
    longTasks: traced.wall.length > seen.longTasks.length ? traced.wall : seen.longTasks,
    longTasksCpu: traced.cpu,
    dropped: droppedFrames(seen.intervals),
    frames: seen.intervals.length,
  };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Input through the DevTools protocol, paced faster than the display (an event every `stepMs`) without
 * waiting for each to be handled, like a real mouse: Chromium coalesces what arrives within a frame,
 * so every frame of the gesture has input to handle.
 */
export class Pointer {
  private constructor(
    private readonly cdp: CDPSession,
    private readonly stepMs: number,
  ) {}

  static async of(context: BrowserContext, page: Page, stepMs = 8): Promise<Pointer> {
    return new Pointer(await context.newCDPSession(page), stepMs);
  }

  private x = 0;
  private y = 0;
  private button: "none" | "left" | "middle" = "none";

  private send(params: {
    type: "mousePressed" | "mouseReleased" | "mouseMoved" | "mouseWheel";
    button?: "none" | "left" | "middle";
    buttons?: number;
    clickCount?: number;
    deltaX?: number;
    deltaY?: number;
  }) {
    return this.cdp.send("Input.dispatchMouseEvent", {
      x: this.x,
      y: this.y,
      button: this.button,
      buttons: this.button === "left" ? 1 : this.button === "middle" ? 4 : 0,
      ...params,
    });
  }

  async move(x: number, y: number) {
    this.x = x;
    this.y = y;
    await this.send({ type: "mouseMoved" });
  }

  async down(button: "left" | "middle" = "left") {
    this.button = button;
    await this.send({ type: "mousePressed", clickCount: 1 });
  }

  async up() {
    const button = this.button;
    this.button = "none";
    await this.send({ type: "mouseReleased", button, buttons: 0, clickCount: 1 });
  }

  /** Moves along a straight line in `steps` paced events, not waiting for each to be handled. */
  async path(x1: number, y1: number, steps: number) {
    const x0 = this.x;
    const y0 = this.y;
    const sent: Promise<unknown>[] = [];
    for (let i = 1; i <= steps; i++) {
      this.x = x0 + ((x1 - x0) * i) / steps;
      this.y = y0 + ((y1 - y0) * i) / steps;
      sent.push(this.send({ type: "mouseMoved" }));
      await sleep(this.stepMs);
    }
    await Promise.all(sent);
  }

  /** `steps` wheel events of `deltaY` each at the pointer, paced one per `everyMs`. */
  async wheel(deltaY: number, steps: number, everyMs = this.stepMs) {
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < steps; i++) {
      sent.push(this.send({ type: "mouseWheel", deltaX: 0, deltaY }));
      await sleep(everyMs);
    }
    await Promise.all(sent);
  }
}

/** The web app the server serves: $LABELBENCH_WEB_DIST when given, else a fresh build into a temp dir. */
export const webDist = (): { dir: string; cleanup: () => void } => {
  const given = process.env.LABELBENCH_WEB_DIST;
  if (given) {
    if (!fs.existsSync(path.join(given, "index.html")))
      throw new Error(`LABELBENCH_WEB_DIST=${given} holds no built web app (index.html missing)`);
    return { dir: given, cleanup: () => {} };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lb-bench-web-"));
  process.stderr.write("bench: building the web app…\n");
  const r = spawnSync("npx", ["vite", "build", "--logLevel", "error"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, WEB_OUT_DIR: dir },
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status})`);
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
};

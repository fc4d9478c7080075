/**
 * Reads a Chromium performance trace (browser.startTracing) and turns it into main-thread work per
 * frame. Headless Chromium paints at a fixed 60 Hz, so frames per second cannot rank two designs that
 * both keep up; the time the renderer's main thread is busy per frame can. Everything the page does
 * counts: input handlers, rAF callbacks (the canvas draw), React commits, style/layout/paint,
 * layerization, the compositor commit and garbage collection, because all of it runs inside the
 * thread's top-level tasks.
 *
 * Work is the thread's CPU time in those tasks (the trace's `tdur`): on a machine shared with other
 * jobs, wall time also counts the time the thread waited for a core, which is load, not work. The wall
 * time is kept alongside.
 */

export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of a complete event, in µs. */
  tdur?: number;
  pid: number;
  tid: number;
  cat?: string;
  args?: { name?: string; data?: { type?: string } };
}

export const TRACE_CATEGORIES = [
  "toplevel",
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "disabled-by-default-devtools.timeline.frame",
  "blink.user_timing",
];

export const parseTrace = (buf: Buffer): TraceEvent[] => {
  const json = JSON.parse(buf.toString("utf8")) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return Array.isArray(json) ? json : json.traceEvents;
};

const TASK = "ThreadControllerImpl::RunTask";

interface MainThread {
  /** Top-level tasks, by start time; `cpu` in µs. */
  tasks: { ts: number; end: number; cpu: number }[];
  /** Start of the task that began each main frame, by time. */
  frameTasks: number[];
  events: TraceEvent[];
}

/** The renderer main thread that recorded `mark` (the page under test, not another tab or worker). */
const mainThreadOf = (events: TraceEvent[], mark: string): MainThread => {
  const markEvent = events.find((e) => e.name === mark);
  if (!markEvent) throw new Error(`trace has no mark ${mark}: was blink.user_timing traced?`);
  const mine = events.filter((e) => e.pid === markEvent.pid && e.tid === markEvent.tid);
  const tasks = mine
    .filter((e) => e.name === TASK && e.ph === "X" && e.dur !== undefined)
    .map((e) => ({ ts: e.ts, end: e.ts + (e.dur ?? 0), cpu: e.tdur ?? e.dur ?? 0 }))
    .sort((a, b) => a.ts - b.ts);
  const frameStarts = mine
    .filter((e) => e.name === "BeginMainThreadFrame")
    .map((e) => e.ts)
    .sort((a, b) => a - b);
  const frameTasks: number[] = [];
  let i = 0;
  for (const f of frameStarts) {
    while (i + 1 < tasks.length && (tasks[i + 1]?.ts ?? Number.POSITIVE_INFINITY) <= f) i++;
    const t = tasks[i];
    if (t && t.ts <= f && frameTasks[frameTasks.length - 1] !== t.ts) frameTasks.push(t.ts);
  }
  return { tasks, frameTasks, events: mine };
};

const markTime = (m: MainThread, name: string): number => {
  const e = m.events.find((x) => x.name === name);
  if (!e) throw new Error(`trace has no mark ${name}`);
  return e.ts;
};

/** Work of the tasks starting in [from, to), in ms: CPU time and wall time. */
const busy = (m: MainThread, from: number, to: number): Work => {
  let cpu = 0;
  let wall = 0;
  for (const t of m.tasks) {
    if (t.ts >= to) break;
    if (t.ts < from) continue;
    cpu += t.cpu;
    wall += t.end - t.ts;
  }
  return { cpu: cpu / 1000, wall: wall / 1000 };
};

export interface Work {
  cpu: number;
  wall: number;
}

/**
 * Main-thread work of every frame begun between the two marks: a frame's work is every task that
 * starts from the task beginning that frame up to the task beginning the next, so input handled
 * between frames and React's scheduled renders count towards the frame that shows their result.
 */
export const frameWork = (events: TraceEvent[], startMark: string, endMark: string): Work[] => {
  const m = mainThreadOf(events, startMark);
  const from = markTime(m, startMark);
  const to = markTime(m, endMark);
  const out: Work[] = [];
  for (let i = 0; i + 1 < m.frameTasks.length; i++) {
    const a = m.frameTasks[i] ?? 0;
    const b = m.frameTasks[i + 1] ?? 0;
    if (a < from || a > to) continue;
    out.push(busy(m, a, b));
  }
  return out;
};

/**
 * Top-level tasks of at least `ms` between the marks (the trace's view of long tasks), by wall time
 * (what a long task is) and by CPU time (what the page itself spent, whatever else ran on the machine).
 */
export const longTasks = (
  events: TraceEvent[],
  startMark: string,
  endMark: string,
  ms = 50,
): { wall: number[]; cpu: number[] } => {
  const m = mainThreadOf(events, startMark);
  const from = markTime(m, startMark);
  const to = markTime(m, endMark);
  const inside = m.tasks.filter((t) => t.ts >= from && t.ts <= to);
  return {
    wall: inside.filter((t) => (t.end - t.ts) / 1000 >= ms).map((t) => (t.end - t.ts) / 1000),
    cpu: inside.filter((t) => t.cpu / 1000 >= ms).map((t) => t.cpu / 1000),
  };
};

/**
 * Work from each `eventType` DOM event until its result is on screen: the task that dispatched it, any
 * task after it, and the whole next frame (where the canvas draws), without the idle wait for vsync.
 */
export const interactionWork = (
  events: TraceEvent[],
  startMark: string,
  endMark: string,
  eventType: string,
): Work[] => {
  const m = mainThreadOf(events, startMark);
  const from = markTime(m, startMark);
  const to = markTime(m, endMark);
  const dispatches = m.events
    .filter(
      (e) => e.name === "EventDispatch" && e.args?.data?.type === eventType && e.ts >= from && e.ts <= to,
    )
    .map((e) => e.ts);
  const out: Work[] = [];
  for (const ts of dispatches) {
    const task = [...m.tasks].reverse().find((t) => t.ts <= ts);
    if (!task) continue;
    // The frame that shows the result: the first frame task after the dispatching one.
    const nextFrame = m.frameTasks.find((f) => f > task.ts);
    if (nextFrame === undefined) continue;
    const frameTask = m.tasks.find((t) => t.ts === nextFrame);
    const before = busy(m, task.ts, nextFrame);
    out.push({
      cpu: before.cpu + (frameTask ? frameTask.cpu / 1000 : 0),
      wall: before.wall + (frameTask ? (frameTask.end - frameTask.ts) / 1000 : 0),
    });
  }
  return out;
};

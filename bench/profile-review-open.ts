/**
 * Where the time of opening the dense scene in review mode goes (bench case `review-open`): a
 * Chromium trace with the V8 sampling profiler of each open, read back into the main thread's CPU
 * time by function and by phase, the big tasks, and the API requests' timings. Not a bench case (no
 * target): the evidence behind docs/benchmarks.md's notes on review mode. Function names need a web
 * build without minification:
 *
 *   WEB_OUT_DIR=/tmp/web npx vite build --minify false
 *   LABELBENCH_WEB_DIST=/tmp/web npx tsx bench/profile-review-open.ts [opens] [review|plain|both]
 *
 * PROFILE_GESTURE=1 also profiles review mode's pan and zoom at 1:1 (work per frame, by function).
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { launchBrowser, MONITOR_INIT, measureGesture, Pointer, signedInContext, webDist } from "./browser.js";
import { createScene, nextFrames, stageBox } from "./cases/editor.js";
import { ISSUES, plainImage, prepareReview, REVIEW_READY_INIT } from "./cases/review-open.js";
import { percentile } from "./report.js";
import { startServer } from "./server.js";
import { parseTrace, TRACE_CATEGORIES, type TraceEvent } from "./trace.js";

const OPENS = Number(process.argv[2] ?? 3);
const WHICH = process.argv[3] ?? "both";
const PORT = 4304;
const VIEWPORT = { width: 1440, height: 900 };

interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/**
 * Samples of the V8 profiler on one thread: time (µs, trace clock), the function, its stack. The
 * `Profile` event carries the sampled thread; its chunks come from the profiler's own thread, with
 * the same id.
 */
const samplesOf = (events: TraceEvent[], pid: number, tid: number) => {
  const nodes = new Map<number, ProfileNode>();
  const out: { ts: number; dt: number; node: number }[] = [];
  type Chunk = { cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] };
  const idOf = (e: TraceEvent) => (e as unknown as { id?: string }).id ?? "";
  const byId = new Map<string, { start: number; chunks: Chunk[] }>();
  for (const e of events) {
    if (e.name !== "Profile" || e.pid !== pid || e.tid !== tid) continue;
    const data = (e.args as { data?: { startTime?: number } } | undefined)?.data;
    byId.set(idOf(e), { start: data?.startTime ?? e.ts, chunks: [] });
  }
  for (const e of events) {
    if (e.name !== "ProfileChunk" || e.pid !== pid) continue;
    const data = (e.args as { data?: Chunk } | undefined)?.data;
    if (data) byId.get(idOf(e))?.chunks.push(data);
  }
  for (const { start, chunks } of byId.values()) {
    let t = start;
    for (const c of chunks) {
      for (const n of c.cpuProfile?.nodes ?? []) nodes.set(n.id, n);
      const s = c.cpuProfile?.samples ?? [];
      const d = c.timeDeltas ?? [];
      for (let i = 0; i < s.length; i++) {
        t += d[i] ?? 0;
        out.push({ ts: t, dt: 0, node: s[i] ?? 0 });
      }
    }
  }
  out.sort((a, b) => a.ts - b.ts);
  for (let i = 0; i + 1 < out.length; i++) {
    const a = out[i];
    const b = out[i + 1];
    if (a && b) a.dt = Math.min(b.ts - a.ts, 2000);
  }
  return { nodes, samples: out };
};

const nameOf = (n: ProfileNode | undefined) => {
  if (!n) return "?";
  const f = n.callFrame;
  const file = f.url ? path.basename(f.url.split("?")[0] ?? "") : "";
  return `${f.functionName || "(anon)"}${file ? ` ${file}:${f.lineNumber + 1}` : ""}`;
};

/** Self time by function, and by "first app frame" of the stack (what of ours caused it). */
const attribute = (
  prof: ReturnType<typeof samplesOf>,
  from: number,
  to: number,
  top = 25,
): { self: [string, number][]; inclusive: [string, number][] } => {
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const s of prof.samples) {
    if (s.ts < from || s.ts >= to) continue;
    const n = prof.nodes.get(s.node);
    const name = nameOf(n);
    if (name.startsWith("(idle)")) continue;
    self.set(name, (self.get(name) ?? 0) + s.dt);
    const seen = new Set<string>();
    for (let cur = n; cur; cur = cur.parent !== undefined ? prof.nodes.get(cur.parent) : undefined) {
      const k = nameOf(cur);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + s.dt);
    }
  }
  const sort = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => [k, v / 1000] as [string, number]);
  return { self: sort(self), inclusive: sort(incl) };
};

const mainThread = (events: TraceEvent[]) => {
  const names = events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  // The page's renderer: the CrRendererMain with the most top-level task time.
  let best: { pid: number; tid: number; cpu: number } | null = null;
  for (const n of names) {
    const cpu = events
      .filter((e) => e.pid === n.pid && e.tid === n.tid && e.name === "ThreadControllerImpl::RunTask")
      .reduce((s, e) => s + (e.tdur ?? 0), 0);
    if (!best || cpu > best.cpu) best = { pid: n.pid, tid: n.tid, cpu };
  }
  if (!best) throw new Error("no renderer main thread in the trace");
  return best;
};

const fmt = (v: number) => v.toFixed(1).padStart(7);

const openOnce = async (
  browser: Browser,
  context: BrowserContext,
  url: string,
  want: { shapes: number; issues: number },
  tag: string,
) => {
  const page = await context.newPage();
  await page.addInitScript(MONITOR_INIT);
  await page.addInitScript(REVIEW_READY_INIT, want);
  await browser.startTracing(page, {
    categories: [...TRACE_CATEGORIES, "disabled-by-default-v8.cpu_profiler"],
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__reviewReady, null, { timeout: 60_000, polling: 50 });
  const info = await page.evaluate(() => {
    performance.mark("lb-sync");
    const sync = performance.now();
    const ready = window.__reviewReady?.at ?? Number.NaN;
    const res = performance
      .getEntriesByType("resource")
      .filter((e) => e.name.includes("/api/") || /\.(js|css)$/.test(e.name))
      .map((e) => {
        const r = e as PerformanceResourceTiming;
        return {
          name: r.name.replace(/^https?:\/\/[^/]+/, ""),
          start: r.startTime,
          end: r.responseEnd,
          reqStart: r.requestStart,
          resStart: r.responseStart,
        };
      });
    const marks = performance.getEntriesByType("mark").map((m) => ({ name: m.name, at: m.startTime }));
    return { sync, ready, res, marks };
  });
  const buf = await browser.stopTracing();
  if (process.env.PROFILE_TRACE_DIR) {
    fs.mkdirSync(process.env.PROFILE_TRACE_DIR, { recursive: true });
    fs.writeFileSync(path.join(process.env.PROFILE_TRACE_DIR, `${tag}.json`), buf);
  }
  const events = parseTrace(buf);
  const main = mainThread(events);
  const syncEvent = events.find((e) => e.name === "lb-sync" && e.pid === main.pid);
  if (!syncEvent) throw new Error("no sync mark in the trace");
  // trace µs = page ms * 1000 + offset
  const offset = syncEvent.ts - info.sync * 1000;
  const toPage = (ts: number) => (ts - offset) / 1000;
  const tasks = events
    .filter(
      (e) =>
        e.pid === main.pid &&
        e.tid === main.tid &&
        e.name === "ThreadControllerImpl::RunTask" &&
        e.dur !== undefined,
    )
    .map((e) => ({
      at: toPage(e.ts),
      wall: (e.dur ?? 0) / 1000,
      cpu: (e.tdur ?? e.dur ?? 0) / 1000,
      ts: e.ts,
      end: e.ts + (e.dur ?? 0),
    }))
    .filter((t) => t.at >= 0 && t.at <= info.ready + 20)
    .sort((a, b) => a.at - b.at);
  const cpu = tasks.reduce((s, t) => s + t.cpu, 0);
  const prof = samplesOf(events, main.pid, main.tid);
  const lines: string[] = [];
  lines.push(
    `== ${tag}: ready at ${info.ready.toFixed(0)} ms; main thread CPU in tasks before it ${cpu.toFixed(0)} ms (${tasks.length} tasks)`,
  );
  lines.push("-- requests (start → response start → end, ms):");
  for (const r of info.res.sort((a, b) => a.start - b.start))
    lines.push(`   ${fmt(r.start)} → ${fmt(r.resStart)} → ${fmt(r.end)}  ${r.name.slice(0, 90)}`);
  lines.push("-- tasks ≥ 8 ms CPU (at, cpu, wall; top self functions inside):");
  for (const t of tasks) {
    if (t.cpu < 8) continue;
    const a = attribute(prof, t.ts, t.end, 6);
    lines.push(`   @${fmt(t.at)} cpu ${fmt(t.cpu)} wall ${fmt(t.wall)}`);
    for (const [k, v] of a.inclusive.slice(0, 12)) lines.push(`        incl ${fmt(v)}  ${k}`);
  }
  // CPU in windows of 100 ms, to see the shape of the open.
  const bucket = new Map<number, number>();
  for (const t of tasks)
    bucket.set(Math.floor(t.at / 100), (bucket.get(Math.floor(t.at / 100)) ?? 0) + t.cpu);
  lines.push(
    `-- main-thread CPU per 100 ms: ${[...bucket.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([k, v]) => `${k * 100}:${v.toFixed(0)}`)
      .join(" ")}`,
  );
  const all = attribute(prof, offset + 0, offset + info.ready * 1000, 40);
  lines.push("-- self time (ms) before ready:");
  for (const [k, v] of all.self) lines.push(`   ${fmt(v)}  ${k}`);
  lines.push("-- inclusive time (ms) before ready:");
  for (const [k, v] of all.inclusive) lines.push(`   ${fmt(v)}  ${k}`);
  return { page, ready: info.ready, cpu, report: lines.join("\n") };
};

/** Pan and zoom at fit, then at 1:1 (as the bench case does), each under a trace: work per frame. */
const profileGesture = async (browser: Browser, context: BrowserContext, page: Page, tag: string) => {
  const pointer = await Pointer.of(context, page);
  const box = await stageBox(page);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await pointer.move(cx, cy);
  for (const view of ["fit", "1:1"] as const) {
    if (view === "1:1") {
      await page.keyboard.press("0");
      await nextFrames(page, 20);
    }
    for (const kind of ["pan", "zoom"] as const) {
      const g = await measureGesture(
        browser,
        page,
        async () => {
          if (kind === "pan") {
            await pointer.down("middle");
            await pointer.path(cx + 300, cy + 150, 60);
            await pointer.path(cx - 200, cy - 100, 90);
            await pointer.path(cx, cy, 40);
            await pointer.up();
          } else if (view === "fit") {
            await pointer.wheel(-30, 16, 17);
            await pointer.wheel(30, 16, 17);
          } else {
            await pointer.wheel(30, 8, 17);
            await pointer.wheel(-30, 16, 17);
            await pointer.wheel(30, 8, 17);
          }
          await nextFrames(page, 20);
        },
        { name: `${tag}-${view === "fit" ? "fit" : "1to1"}-${kind}` },
      );
      const sum = g.work.reduce((a, b) => a + b, 0);
      process.stdout.write(
        `== ${tag} ${view} ${kind}: ${g.work.length} frames, CPU sum ${sum.toFixed(0)} p50 ${percentile(g.work, 50).toFixed(2)} p95 ${percentile(g.work, 95).toFixed(2)} max ${Math.max(...g.work).toFixed(2)} ms\n`,
      );
    }
  }
};

/** `analyze <trace.json>…`: the heaviest frames of a gesture's trace (BENCH_TRACE_DIR), by function. */
const analyze = (files: string[]) => {
  for (const f of files) {
    const events = parseTrace(fs.readFileSync(f));
    const main = mainThread(events);
    const mine = events.filter((e) => e.pid === main.pid && e.tid === main.tid);
    const tasks = mine
      .filter((e) => e.name === "ThreadControllerImpl::RunTask" && e.dur !== undefined)
      .map((e) => ({ ts: e.ts, end: e.ts + (e.dur ?? 0), cpu: (e.tdur ?? e.dur ?? 0) / 1000 }))
      .sort((a, b) => a.ts - b.ts);
    const frames = mine
      .filter((e) => e.name === "BeginMainThreadFrame")
      .map((e) => e.ts)
      .sort((a, b) => a - b);
    const prof = samplesOf(events, main.pid, main.tid);
    const work: { from: number; to: number; cpu: number }[] = [];
    for (let i = 0; i + 1 < frames.length; i++) {
      const from = frames[i] ?? 0;
      const to = frames[i + 1] ?? 0;
      const cpu = tasks.filter((t) => t.ts >= from && t.ts < to).reduce((s, t) => s + t.cpu, 0);
      work.push({ from, to, cpu });
    }
    // FN=name: the frames whose samples pass through a function of that name, and their CPU.
    const fn = process.env.FN;
    if (fn) {
      const hit = work.filter((w) =>
        prof.samples.some((smp) => {
          if (smp.ts < w.from || smp.ts >= w.to) return false;
          for (
            let n = prof.nodes.get(smp.node);
            n;
            n = n.parent !== undefined ? prof.nodes.get(n.parent) : undefined
          )
            if (nameOf(n).startsWith(fn)) return true;
          return false;
        }),
      );
      process.stdout.write(
        `   ${hit.length} of ${work.length} frames pass through ${fn}: CPU ${hit.map((w) => w.cpu.toFixed(1)).join(", ")}\n`,
      );
    }
    const sorted = [...work].sort((a, b) => b.cpu - a.cpu);
    process.stdout.write(
      `== ${path.basename(f)}: ${work.length} frames, CPU sum ${work.reduce((a, w) => a + w.cpu, 0).toFixed(0)} p50 ${percentile(
        work.map((w) => w.cpu),
        50,
      ).toFixed(2)} p95 ${percentile(
        work.map((w) => w.cpu),
        95,
      ).toFixed(2)}\n`,
    );
    for (const w of sorted.slice(0, Number(process.env.TOP ?? 6))) {
      process.stdout.write(
        `   frame @${((w.from - (frames[0] ?? 0)) / 1000).toFixed(0)} ms: ${w.cpu.toFixed(2)} ms CPU\n`,
      );
      for (const [k, v] of attribute(prof, w.from, w.to, 14).inclusive)
        process.stdout.write(`        ${fmt(v)}  ${k}\n`);
    }
    const all = attribute(prof, frames[0] ?? 0, frames.at(-1) ?? 0, 30);
    process.stdout.write("   whole gesture, self:\n");
    for (const [k, v] of all.self) process.stdout.write(`        ${fmt(v)}  ${k}\n`);
  }
};

const main = async () => {
  const web = webDist();
  const s = await startServer({ port: PORT, env: { LABELBENCH_WEB_DIST: web.dir } });
  let browser: Browser | null = null;
  try {
    const scene = await createScene(s);
    const projectId = Number(/\/projects\/(\d+)\//.exec(scene.url)?.[1]);
    const shapes = await prepareReview(s, scene, projectId);
    const plainId = await plainImage(s, projectId, scene.shapes);
    browser = await launchBrowser();
    const context = await signedInContext(browser, s, VIEWPORT);
    const targets = [
      { tag: "review", url: `${scene.url}?mode=review`, want: { shapes, issues: ISSUES } },
      {
        tag: "plain",
        url: `${s.url}/projects/${projectId}/images/${plainId}?mode=review`,
        want: { shapes: scene.shapes.length, issues: 0 },
      },
    ].filter((t) => WHICH === "both" || t.tag === WHICH);
    for (const t of targets) {
      const warm = await openOnce(browser, context, t.url, t.want, `${t.tag}-warm`);
      await warm.page.close();
      const readies: number[] = [];
      for (let i = 0; i < OPENS; i++) {
        const r = await openOnce(browser, context, t.url, t.want, `${t.tag}-${i}`);
        readies.push(r.ready);
        process.stdout.write(`${r.report}\n\n`);
        if (i === OPENS - 1 && process.env.PROFILE_GESTURE === "1")
          await profileGesture(browser, context, r.page, t.tag);
        await r.page.close();
      }
      process.stdout.write(
        `## ${t.tag}: ready ${readies.map((x) => x.toFixed(0)).join(", ")} ms (median ${percentile(readies, 50).toFixed(0)})\n\n`,
      );
    }
  } finally {
    await browser?.close();
    await s.stop();
    web.cleanup();
  }
};

if (process.argv[2] === "analyze") analyze(process.argv.slice(3));
else await main();

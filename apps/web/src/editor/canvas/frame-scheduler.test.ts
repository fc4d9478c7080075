import { describe, expect, it } from "vitest";
import { type FrameBudget, FrameScheduler } from "./frame-scheduler";

/** A scheduler on a fake clock whose frames run only when the test says so. */
const setup = (budgetMs = 3) => {
  let t = 0;
  const pending = new Map<number, () => void>();
  let nextId = 1;
  const sched = new FrameScheduler({
    budgetMs,
    now: () => t,
    requestFrame: (cb) => {
      const id = nextId++;
      pending.set(id, cb);
      return id;
    },
    cancelFrame: (id) => pending.delete(id),
  });
  const frame = () => {
    const cbs = [...pending.values()];
    pending.clear();
    for (const cb of cbs) cb();
  };
  return {
    sched,
    frame,
    advance: (ms: number) => {
      t += ms;
    },
    framesPending: () => pending.size,
  };
};

/** A producer with `units` pieces of work of `ms` each, done while the budget lasts. */
const worker = (env: ReturnType<typeof setup>, units: number, ms: number, log: string[], name: string) => {
  let left = units;
  return (b: FrameBudget) => {
    while (left > 0 && b.left()) {
      env.advance(ms);
      left -= 1;
      b.spend();
      log.push(name);
    }
    return left > 0;
  };
};

describe("FrameScheduler", () => {
  it("asks for one animation frame however many producers ask", () => {
    const env = setup();
    const calls: string[] = [];
    const a = () => {
      calls.push("a");
      return false;
    };
    const b = () => {
      calls.push("b");
      return false;
    };
    env.sched.request(a);
    env.sched.request(b);
    env.sched.request(a);
    expect(env.framesPending()).toBe(1);
    env.frame();
    expect(calls).toEqual(["a", "b"]);
    expect(env.framesPending()).toBe(0);
  });

  it("shares one budget between producers in a frame", () => {
    const env = setup(3);
    const log: string[] = [];
    env.sched.request(worker(env, 10, 1, log, "shapes"));
    env.sched.request(worker(env, 10, 1, log, "strips"));
    env.frame();
    // 3 ms in all: the first producer takes it, the second gets nothing this frame.
    expect(log).toEqual(["shapes", "shapes", "shapes"]);
  });

  it("runs a producer that got no time first in the next frame", () => {
    const env = setup(3);
    const log: string[] = [];
    env.sched.request(worker(env, 10, 1, log, "shapes"));
    env.sched.request(worker(env, 2, 1, log, "strips"));
    env.frame();
    log.length = 0;
    env.frame();
    expect(log).toEqual(["strips", "strips", "shapes"]);
  });

  it("keeps asking for frames while a producer has work left, and stops when all are done", () => {
    const env = setup(3);
    const log: string[] = [];
    env.sched.request(worker(env, 7, 1, log, "w"));
    let frames = 0;
    while (env.framesPending() > 0 && frames < 10) {
      env.frame();
      frames += 1;
    }
    expect(frames).toBe(3);
    expect(log).toHaveLength(7);
  });

  it("cancel takes a request back", () => {
    const env = setup();
    let ran = false;
    const p = () => {
      ran = true;
      return false;
    };
    env.sched.request(p);
    expect(env.sched.isRequested(p)).toBe(true);
    env.sched.cancel(p);
    expect(env.framesPending()).toBe(0);
    env.frame();
    expect(ran).toBe(false);
  });

  it("a producer asking again from inside its frame runs in the next one", () => {
    const env = setup();
    let runs = 0;
    const p = () => {
      runs += 1;
      if (runs === 1) env.sched.request(p);
      return false;
    };
    env.sched.request(p);
    env.frame();
    expect(runs).toBe(1);
    env.frame();
    expect(runs).toBe(2);
  });

  it("applies input once at the start of the frame, and producers it wakes run in that frame", () => {
    const env = setup();
    const log: string[] = [];
    const draw = () => {
      log.push("draw");
      return false;
    };
    const input = () => {
      log.push("input");
      env.sched.request(draw);
    };
    env.sched.requestInput(input);
    env.sched.requestInput(input);
    expect(env.framesPending()).toBe(1);
    env.frame();
    expect(log).toEqual(["input", "draw"]);
    expect(env.framesPending()).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { AppError } from "../../http/errors.js";
import { Slots } from "./export-slots.js";

const settled = async (p: Promise<unknown>) => {
  let state = "pending";
  p.then(
    () => {
      state = "granted";
    },
    () => {
      state = "refused";
    },
  );
  await new Promise((r) => setImmediate(r));
  return state;
};

describe("export slots", () => {
  it("runs up to the limit at once and hands a freed slot to the first in line", async () => {
    const slots = new Slots({ running: 2, maxWaiting: 4, maxWaitMs: 10_000 });
    const a = await slots.acquire();
    await slots.acquire();
    const third = slots.acquire();
    const fourth = slots.acquire();
    expect(await settled(third)).toBe("pending");
    expect(slots.queued).toBe(2);
    a();
    a(); // a second release of the same slot frees nothing more
    expect(await settled(third)).toBe("granted");
    expect(await settled(fourth)).toBe("pending");
    expect(slots.active).toBe(2);
  });

  it("refuses with BUSY when the line is full or the wait is too long", async () => {
    const slots = new Slots({ running: 1, maxWaiting: 1, maxWaitMs: 50 });
    await slots.acquire();
    const waiting = slots.acquire();
    const full = await slots.acquire().catch((e: unknown) => e);
    expect(full).toBeInstanceOf(AppError);
    expect((full as AppError).code).toBe("BUSY");
    expect((full as AppError).status).toBe(503);
    const timedOut = await waiting.catch((e: unknown) => e);
    expect((timedOut as AppError).code).toBe("BUSY");
    expect((timedOut as AppError).message).toContain("within 0.05 s");
    expect(slots.queued).toBe(0);
  });

  it("lets a client that hangs up leave the line without taking a slot", async () => {
    const slots = new Slots({ running: 1, maxWaiting: 4, maxWaitMs: 10_000 });
    const first = await slots.acquire();
    const gone = new AbortController();
    const leaving = slots.acquire(gone.signal);
    const staying = slots.acquire();
    gone.abort();
    expect(await settled(leaving)).toBe("refused");
    first();
    expect(await settled(staying)).toBe("granted");
    expect(slots.active).toBe(1);
  });
});

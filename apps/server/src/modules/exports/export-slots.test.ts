import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/connect.js";
import type { Database } from "../../db/schema.js";
import { AppError } from "../../http/errors.js";
import {
  migratedTemplate,
  type ScratchDatabase,
  SKIP_POSTGRES_REASON,
  TEST_DATABASE_URL,
} from "../../test-support/postgres.js";
import { pgSlotLeases, Slots } from "./export-slots.js";

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

/**
 * Two server processes on one PostgreSQL database share the slots. A "process" here is a Kysely
 * pool of its own in this test, or a child process (to die or freeze for real).
 */
describe.skipIf(!TEST_DATABASE_URL)(
  `export slots across processes on PostgreSQL${TEST_DATABASE_URL ? "" : ` (${SKIP_POSTGRES_REASON})`}`,
  () => {
    let scratch: ScratchDatabase;
    const pools: Kysely<Database>[] = [];
    const children: ChildProcess[] = [];
    const open = async () => {
      const conn = await openDb(scratch.url, { poolSize: 4 });
      pools.push(conn.kysely);
      return conn.kysely;
    };
    beforeAll(async () => {
      scratch = await migratedTemplate().then((t) => t.clone());
    });
    afterAll(async () => {
      for (const c of children) c.kill("SIGKILL");
      for (const p of pools) await p.destroy();
      await scratch?.drop();
    });

    /** A process that takes one slot of `limit` and holds it; resolves once it holds it. */
    const holder = async (limit: number, leaseMs: number) => {
      const here = path.dirname(fileURLToPath(import.meta.url));
      const code = `
        const { openDb } = await import(${JSON.stringify(pathToFileURL(path.join(here, "../../db/connect.ts")).href)});
        const { pgSlotLeases } = await import(${JSON.stringify(pathToFileURL(path.join(here, "export-slots.ts")).href)});
        const conn = await openDb(process.env.SLOT_DB_URL, { poolSize: 2 });
        const release = await pgSlotLeases(conn.kysely, ${limit}, { leaseMs: ${leaseMs} }).take();
        console.log(release ? "held" : "none");
        setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
        env: { ...process.env, SLOT_DB_URL: scratch.url },
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.push(child);
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout?.once("data", (d: Buffer) => resolve(String(d).trim()));
        child.once("exit", (code) => reject(new Error(`slot holder exited (${code})`)));
      });
      expect(line).toBe("held");
      return child;
    };

    it("holds the limit across processes: another process's export waits for the slot, then runs", async () => {
      const a = new Slots(
        { running: 1, maxWaiting: 4, maxWaitMs: 10_000 },
        pgSlotLeases(await open(), 1),
        50,
      );
      const b = new Slots(
        { running: 1, maxWaiting: 0, maxWaitMs: 10_000 },
        pgSlotLeases(await open(), 1),
        50,
      );
      const release = await a.acquire();
      const refused = await b.acquire().catch((e: unknown) => e);
      expect((refused as AppError).code).toBe("BUSY");
      const c = new Slots(
        { running: 1, maxWaiting: 4, maxWaitMs: 10_000 },
        pgSlotLeases(await open(), 1),
        50,
      );
      const waiting = c.acquire();
      expect(await settled(waiting)).toBe("pending");
      release();
      const start = Date.now();
      (await waiting)();
      expect(Date.now() - start).toBeLessThan(5000);
    });

    it("frees the slot of a process killed while exporting at once, and of a frozen one when its lease expires", async () => {
      const killed = await holder(1, 60_000);
      const slots = new Slots(
        { running: 1, maxWaiting: 4, maxWaitMs: 30_000 },
        pgSlotLeases(await open(), 1),
        50,
      );
      const first = slots.acquire();
      expect(await settled(first)).toBe("pending");
      killed.kill("SIGKILL");
      (await first)();

      const frozen = await holder(1, 1500);
      const second = slots.acquire();
      expect(await settled(second)).toBe("pending");
      frozen.kill("SIGSTOP");
      // Its connection stays open, its heartbeat stops: the server ends its session after the lease.
      const start = Date.now();
      (await second)();
      expect(Date.now() - start).toBeGreaterThan(500);
      frozen.kill("SIGKILL");
    }, 60_000);
  },
);

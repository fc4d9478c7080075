import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request the fake backend received. */
export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface LsTask {
  id: number;
  data: { image: string };
}

/** What the fake backend does for a /predict: the reply body, or a status with a raw body, after a pause. */
export type PredictBehaviour = (
  tasks: LsTask[],
  downloads: { url: string; status: number; bytes: number }[],
) => { status?: number; body?: unknown; raw?: string; delayMs?: number };

/**
 * A Label Studio ML backend written for the tests: a real HTTP server on a loopback port that
 * records every request and answers as Label Studio's documented examples do (label-studio-ml's
 * api.py): `GET /health` → `{status: "UP", model_class}`, `POST /setup` → `{model_version}`,
 * `POST /predict` → `{results: [{result, score, model_version}], model_version}`, `POST /webhook`
 * → 201. Before predicting it downloads each task's image with the key /setup gave it
 * (`Authorization: Token <access_token>`), as label-studio-ml's `get_local_path` does.
 */
export const startFakeBackend = async (opts: { predict?: PredictBehaviour } = {}) => {
  const received: Received[] = [];
  const downloads: { url: string; status: number; bytes: number }[] = [];
  let accessToken: string | null = null;
  let inFlight = 0;
  let maxInFlight = 0;
  const state = {
    predict: opts.predict ?? defaultPredict,
    health: { status: 200, body: { status: "UP", model_class: "FakeDetector" } as unknown },
    webhook: { status: 201, delayMs: 0 },
    download: true,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          body = text;
        }
        const path = (req.url ?? "/").split("?")[0] ?? "/";
        received.push({ method: req.method ?? "", path, headers: req.headers, body });
        const json = (status: number, value: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(value));
        };
        if (path === "/health") return json(state.health.status, state.health.body);
        if (path === "/setup") {
          accessToken = (body as { access_token?: string }).access_token ?? null;
          return json(200, { model_version: "fake-1.0" });
        }
        if (path === "/webhook") {
          if (state.webhook.delayMs) await sleep(state.webhook.delayMs);
          return json(state.webhook.status, {});
        }
        if (path === "/predict") {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          try {
            const tasks = (body as { tasks: LsTask[] }).tasks;
            const mine: typeof downloads = [];
            if (state.download)
              for (const t of tasks) {
                const r = await fetch(t.data.image, {
                  headers: accessToken ? { authorization: `Token ${accessToken}` } : {},
                });
                const bytes = (await r.arrayBuffer()).byteLength;
                mine.push({ url: t.data.image, status: r.status, bytes });
              }
            downloads.push(...mine);
            const out = state.predict(tasks, mine);
            if (out.delayMs) await sleep(out.delayMs);
            if (res.destroyed) return;
            if (out.raw !== undefined) {
              res.writeHead(out.status ?? 200, { "content-type": "text/html" });
              res.end(out.raw);
              return;
            }
            return json(out.status ?? 200, out.body);
          } finally {
            inFlight--;
          }
        }
        json(404, { error: `no route ${path}` });
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    downloads,
    state,
    get accessToken() {
      return accessToken;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    of: (path: string) => received.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
export type FakeBackend = Awaited<ReturnType<typeof startFakeBackend>>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Label Studio's documented example: one rectangle per task, `label` → `image`, percent coordinates. */
export const rectangleResult = (
  label: string,
  score = 0.87,
  box = { x: 10, y: 20, width: 30, height: 40, rotation: 0 },
) => ({
  from_name: "label",
  to_name: "image",
  type: "rectanglelabels",
  score,
  value: { ...box, rectanglelabels: [label] },
});

const defaultPredict: PredictBehaviour = (tasks) => ({
  body: {
    results: tasks.map(() => ({ result: [rectangleResult("cat")], score: 0.87, model_version: "fake-1.0" })),
    model_version: "fake-1.0",
  },
});

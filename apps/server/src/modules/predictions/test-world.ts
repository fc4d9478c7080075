import { type Label, naturalSortKey } from "@labelbench/schema";
import { createLabel, createProject } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";

/**
 * A project for the predictions suites: labels `car` (box, polygon), `person` (box) and `Butterfly`
 * (box, polygon), and `images` image rows named img-0001.jpg… of 640x480 (rows only: predictions
 * never read the pixels, and thousands of uploads would be the test's whole cost).
 */
export interface PredictionWorld {
  t: TestApp;
  projectId: number;
  labels: { car: Label; person: Label; butterfly: Label };
  imageIds: number[];
  deps: {
    sql: TestApp["sql"];
    dialect: TestApp["dialect"];
    db?: TestApp["db"];
    pgPool?: NonNullable<TestApp["pool"]>;
    now: () => string;
  };
}

export const imageName = (i: number) => `img-${String(i + 1).padStart(4, "0")}.jpg`;

export const addImageRows = async (
  t: TestApp,
  projectId: number,
  count: number,
  name: (i: number) => string = imageName,
  size = { width: 640, height: 480 },
): Promise<number[]> => {
  const now = new Date().toISOString();
  const ids: number[] = [];
  for (let i = 0; i < count; i += 500) {
    const rows = await t.sql
      .insertInto("images")
      .values(
        Array.from({ length: Math.min(500, count - i) }, (_, k) => ({
          project_id: projectId,
          sha256: `${projectId}-${name(i + k)}`.padEnd(64, "0").slice(0, 64),
          file_name: name(i + k),
          name_key: naturalSortKey(name(i + k)),
          width: size.width,
          height: size.height,
          format: "jpeg",
          byte_size: 1000,
          created_at: now,
          updated_at: now,
        })),
      )
      .returning("id")
      .execute();
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
};

export const makePredictionWorld = async (images = 3, t?: TestApp): Promise<PredictionWorld> => {
  const app = t ?? (await makeTestApp());
  const project = await createProject(app.app);
  const car = await createLabel(app.app, project.id, { name: "car", shapeTypes: ["box", "polygon"] });
  const person = await createLabel(app.app, project.id, { name: "person", shapeTypes: ["box"] });
  const butterfly = await createLabel(app.app, project.id, {
    name: "Butterfly",
    shapeTypes: ["box", "polygon"],
  });
  const imageIds = await addImageRows(app, project.id, images);
  return {
    t: app,
    projectId: project.id,
    labels: { car, person, butterfly },
    imageIds,
    deps: {
      sql: app.sql,
      dialect: app.dialect,
      ...(app.dialect === "sqlite" ? { db: app.db } : app.pool ? { pgPool: app.pool } : {}),
      now: () => new Date().toISOString(),
    },
  };
};

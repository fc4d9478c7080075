import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadServicesEnv, parseEnvFile } from "./services-env.js";

/** How vitest finds the services `node scripts/test-services.mjs start` started. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const envFile = (text: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-services-env-"));
  dirs.push(d);
  const f = path.join(d, "env");
  fs.writeFileSync(f, text);
  return f;
};

const FILE = [
  "LABELBENCH_TEST_DATABASE_URL='postgres://labelbench:pw@127.0.0.1:55432/labelbench_test'",
  "LABELBENCH_TEST_STORAGE_URL='s3://labelbench-test?endpoint=http://127.0.0.1:45690'",
  "AWS_ACCESS_KEY_ID='S3RVER'",
  "AWS_REGION=us-east-1",
  "",
].join("\n");

describe("the test services' env file", () => {
  it("parses the quoted KEY='value' lines test-services.mjs writes (a shell sources the same file)", () => {
    expect(parseEnvFile(FILE)).toEqual({
      LABELBENCH_TEST_DATABASE_URL: "postgres://labelbench:pw@127.0.0.1:55432/labelbench_test",
      LABELBENCH_TEST_STORAGE_URL: "s3://labelbench-test?endpoint=http://127.0.0.1:45690",
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_REGION: "us-east-1",
    });
  });

  it("fills only the variables that are not set, so exported ones (CI, a developer's servers) win", () => {
    const env: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: "mine", AWS_REGION: "" };
    loadServicesEnv(env, envFile(FILE));
    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: "mine",
      AWS_REGION: "us-east-1",
      LABELBENCH_TEST_STORAGE_URL: "s3://labelbench-test?endpoint=http://127.0.0.1:45690",
    });
  });

  it("leaves the environment alone when both URLs are set, or when there is no file", () => {
    const set: NodeJS.ProcessEnv = { LABELBENCH_TEST_DATABASE_URL: "a", LABELBENCH_TEST_STORAGE_URL: "b" };
    loadServicesEnv(set, envFile(FILE));
    expect(set).toEqual({ LABELBENCH_TEST_DATABASE_URL: "a", LABELBENCH_TEST_STORAGE_URL: "b" });
    const none: NodeJS.ProcessEnv = {};
    loadServicesEnv(none, path.join(os.tmpdir(), "no-such-labelbench-env"));
    expect(none).toEqual({});
  });
});

import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parsePublicUrl, parseTrustProxy, testConfig } from "./config.js";

describe("loadConfig", () => {
  it("defaults to port 3000, ./data, 2 GB files and 1000 MP images (a 400 MP TIFF fits)", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      dataDir: path.resolve("data"),
      maxFileBytes: 200 * 1024 * 1024,
      maxPixels: 1_000_000_000,
      logLevel: "info",
    });
  });

  it("reads PORT, LABELBENCH_DATA_DIR and the limits from the environment", () => {
    const c = loadConfig({
      PORT: "8080",
      LABELBENCH_DATA_DIR: "/srv/lb",
      LABELBENCH_MAX_FILE_MB: "5",
      LABELBENCH_MAX_MEGAPIXELS: "50",
      LOG_LEVEL: "warn",
    });
    expect(c).toMatchObject({
      port: 8080,
      dataDir: "/srv/lb",
      maxFileBytes: 5 * 1024 * 1024,
      maxPixels: 50_000_000,
      logLevel: "warn",
    });
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "-1"],
    ["LABELBENCH_MAX_FILE_MB", "0"],
  ])("refuses %s=%s with a message naming the variable", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name} must be a positive number`));
  });

  it("trusts no proxy unless LABELBENCH_TRUST_PROXY says which", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ LABELBENCH_TRUST_PROXY: "loopback" }).trustProxy).toEqual(["loopback"]);
    expect(parseTrustProxy("false")).toBe(false);
    expect(parseTrustProxy("0")).toBe(false);
    expect(parseTrustProxy("true")).toBe(true);
    expect(parseTrustProxy("2")).toBe(2);
    expect(parseTrustProxy("loopback, 10.0.0.0/8,192.168.1.5,fd00::/8")).toEqual([
      "loopback",
      "10.0.0.0/8",
      "192.168.1.5",
      "fd00::/8",
    ]);
  });

  it.each(["yes", "10.0.0.0/33", "10.0.0/8", "loopback,proxy.local"])(
    "refuses LABELBENCH_TRUST_PROXY=%s with a message naming the variable and the bad entry",
    (value) => {
      expect(() => loadConfig({ LABELBENCH_TRUST_PROXY: value })).toThrow(/LABELBENCH_TRUST_PROXY must be/);
    },
  );

  it("keeps the test controls off unless LABELBENCH_TEST_CONTROLS=1, and refuses other values", () => {
    expect(loadConfig({}).testControls).toBe(false);
    expect(loadConfig({ LABELBENCH_TEST_CONTROLS: "0" }).testControls).toBe(false);
    expect(loadConfig({ LABELBENCH_TEST_CONTROLS: "1" }).testControls).toBe(true);
    expect(() => loadConfig({ LABELBENCH_TEST_CONTROLS: "yes" })).toThrow(
      /LABELBENCH_TEST_CONTROLS must be 1 or 0, got "yes"/,
    );
  });

  it("stores files in the local folder unless LABELBENCH_STORAGE_URL names an S3 bucket", () => {
    expect(loadConfig({}).storage).toEqual({ kind: "local" });
    expect(loadConfig({ LABELBENCH_STORAGE_URL: "" }).storage).toEqual({ kind: "local" });
    expect(
      loadConfig({
        LABELBENCH_STORAGE_URL: "s3://lb-images?endpoint=http://127.0.0.1:9000",
        AWS_REGION: "eu-west-3",
      }).storage,
    ).toEqual({ kind: "s3", bucket: "lb-images", endpoint: "http://127.0.0.1:9000", region: "eu-west-3" });
    // AWS S3 itself: no endpoint; S3-compatible servers take us-east-1 when no region is set.
    expect(loadConfig({ LABELBENCH_STORAGE_URL: "s3://lb.images" }).storage).toEqual({
      kind: "s3",
      bucket: "lb.images",
      endpoint: null,
      region: "us-east-1",
    });
  });

  it.each([
    ["http://bucket", /the scheme "http:", only s3: is supported/],
    ["s3://Bad_Bucket", /bad bucket: must be 3-63 lowercase letters/],
    ["s3://ab", /bad bucket/],
    ["s3://bucket/prefix", /has a path after the bucket/],
    ["s3://bucket?endpoint=ftp://host", /bad endpoint: must be an http:\/\/ or https:\/\/ URL/],
    ["s3://bucket?endpoint=not a url", /bad endpoint/],
    ["s3://bucket?region=eu-west-3", /unknown parameter region \(only endpoint\)/],
    ["bucket", /is not a URL/],
  ])("refuses LABELBENCH_STORAGE_URL=%s saying what is wrong", (value, why) => {
    expect(() => loadConfig({ LABELBENCH_STORAGE_URL: value })).toThrow(
      /LABELBENCH_STORAGE_URL must look like s3:\/\/BUCKET\?endpoint=URL/,
    );
    expect(() => loadConfig({ LABELBENCH_STORAGE_URL: value })).toThrow(why);
  });

  it("testConfig keeps everything under one directory and takes overrides", () => {
    expect(testConfig("/tmp/x", { maxPixels: 10 })).toMatchObject({
      dataDir: "/tmp/x",
      maxPixels: 10,
      logLevel: "silent",
    });
  });
});

describe("LABELBENCH_PUBLIC_URL", () => {
  it("is the address model backends download images from, without a trailing slash; unset is null", () => {
    expect(parsePublicUrl(undefined)).toBeNull();
    expect(parsePublicUrl(" ")).toBeNull();
    expect(parsePublicUrl("https://labels.example.com/")).toBe("https://labels.example.com");
    expect(parsePublicUrl("http://10.0.0.5:3000/labelbench/")).toBe("http://10.0.0.5:3000/labelbench");
    expect(loadConfig({ LABELBENCH_PUBLIC_URL: "http://lb:3000" }).publicUrl).toBe("http://lb:3000");
  });
  it("stops the start with the variable's name when it is not an http(s) URL", () => {
    expect(() => parsePublicUrl("labels.example.com")).toThrow(
      /^LABELBENCH_PUBLIC_URL must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => parsePublicUrl("ftp://x")).toThrow("has the scheme ftp:");
    expect(() => parsePublicUrl("http://x/?a=1")).toThrow("no query or fragment");
  });
});

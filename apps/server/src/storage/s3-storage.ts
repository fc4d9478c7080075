import fs from "node:fs";
import fsp from "node:fs/promises";
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import type * as S3 from "@aws-sdk/client-s3";
import type * as S3Lib from "@aws-sdk/lib-storage";
import { assertSafeKey } from "./safe-key.js";
import type { ByteRange, Storage } from "./storage.js";

const require = createRequire(import.meta.url);
let sdk: { s3: typeof S3; lib: typeof S3Lib } | null = null;
/**
 * The AWS SDK, loaded with the first S3Storage rather than with the server: it holds ~20 MB of
 * resident memory that a server on local storage never uses (a fifth of an export's memory budget
 * beyond the server's own; bench "COCO export … server peak RSS").
 */
const loadSdk = () => {
  sdk ??= { s3: require("@aws-sdk/client-s3"), lib: require("@aws-sdk/lib-storage") };
  return sdk;
};

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3StorageOptions {
  bucket: string;
  /** An S3-compatible server (MinIO, Garage, Ceph RGW, SeaweedFS, R2); null: AWS S3 itself. */
  endpoint: string | null;
  region: string;
  credentials: S3Credentials;
  /** A local folder for files on their way into the bucket (uploads, renditions, tile pyramids). */
  tempDir: string;
}

/**
 * The standard AWS_* variables, and only those: the SDK's default chain would otherwise go on to
 * profiles and the instance-metadata address, and a missing variable would show up as a timeout
 * long after the start instead of as this message.
 */
export const s3CredentialsFromEnv = (env: NodeJS.ProcessEnv): S3Credentials => {
  const accessKeyId = env.AWS_ACCESS_KEY_ID ?? "";
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY ?? "";
  const missing = [
    ...(accessKeyId === "" ? ["AWS_ACCESS_KEY_ID"] : []),
    ...(secretAccessKey === "" ? ["AWS_SECRET_ACCESS_KEY"] : []),
  ];
  if (missing.length > 0)
    throw new Error(
      `LABELBENCH_STORAGE_URL names an S3 bucket, but ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set: set the bucket's access key in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
    );
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
};

const statusOf = (err: unknown): number | undefined =>
  err instanceof loadSdk().s3.S3ServiceException ? err.$metadata.httpStatusCode : undefined;

const isNotFound = (err: unknown) =>
  statusOf(err) === 404 ||
  (err instanceof Error &&
    (err.name === "NoSuchKey" || err.name === "NotFound" || err.name === "NoSuchBucket"));

/** The error LocalStorage's streams give for a missing file (code ENOENT), so callers see one kind. */
const notFoundError = (bucket: string, key: string) =>
  Object.assign(new Error(`storage key ${key} not found in bucket ${bucket}`), { code: "ENOENT" });

/**
 * An S3-compatible bucket, through the AWS SDK v3. Path-style addressing (`endpoint/bucket/key`),
 * because MinIO, Garage, Ceph RGW and SeaweedFS are rarely set up with per-bucket host names.
 * Checksums are only sent and checked where S3 requires them: since SDK 3.729 every upload carries
 * a CRC32 header by default (in an `aws-chunked` trailer for streamed bodies), which R2 refuses
 * with 501 (aws/aws-sdk-js-v3#6810) and s3rver stores as part of the object.
 */
export class S3Storage implements Storage {
  readonly tempDir: string;
  readonly bucket: string;
  private readonly client: S3.S3Client;
  private readonly sdk = loadSdk();
  private readonly where: string;

  constructor(opts: S3StorageOptions) {
    this.bucket = opts.bucket;
    this.tempDir = opts.tempDir;
    fs.mkdirSync(this.tempDir, { recursive: true });
    this.where = opts.endpoint ?? `AWS S3 (region ${opts.region})`;
    this.client = new this.sdk.s3.S3Client({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      forcePathStyle: true,
      credentials: opts.credentials,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  /**
   * Fails with a message saying what to fix when the bucket is missing, the key is refused or the
   * endpoint cannot be reached, so the server stops at start instead of failing its first upload.
   */
  async checkBucket(): Promise<void> {
    try {
      await this.client.send(new this.sdk.s3.HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const status = statusOf(err);
      const name = `bucket "${this.bucket}" at ${this.where}`;
      if (status === 404 || (status === undefined && isNotFound(err)))
        throw new Error(`${name} does not exist: create it, or correct the bucket in LABELBENCH_STORAGE_URL`);
      if (status === 401 || status === 403)
        throw new Error(
          `${name} refused the access key (HTTP ${status}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and that the key may read and write this bucket`,
        );
      if (status === 301 || status === 400)
        throw new Error(
          `${name} answered HTTP ${status} to HeadBucket: the bucket is probably in another region than AWS_REGION`,
        );
      const reason =
        err instanceof Error
          ? ((err as NodeJS.ErrnoException).code ?? (status ? `HTTP ${status}` : err.message))
          : String(err);
      throw new Error(`cannot reach ${name} (${reason}): check the endpoint in LABELBENCH_STORAGE_URL`);
    }
  }

  /** Closes the client's sockets (tests, shutdown). */
  destroy(): void {
    this.client.destroy();
  }

  localPath(_key: string): null {
    return null;
  }

  async putFile(key: string, tempPath: string): Promise<void> {
    await this.upload(assertSafeKey(key), fs.createReadStream(tempPath));
    await fsp.rm(tempPath, { force: true });
  }

  async put(key: string, data: Buffer | Readable): Promise<void> {
    assertSafeKey(key);
    if (Buffer.isBuffer(data)) {
      await this.client.send(
        new this.sdk.s3.PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: data,
          ContentLength: data.length,
        }),
      );
    } else {
      await this.upload(key, data);
    }
  }

  /** One PUT for a small body, a multipart upload (parts in parallel) for a big one; atomic either way. */
  private async upload(key: string, body: Readable): Promise<void> {
    await new this.sdk.lib.Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body },
    }).done();
  }

  stream(key: string, range?: ByteRange): Readable {
    assertSafeKey(key);
    return new ObjectStream(async (signal) => {
      try {
        const r = await this.client.send(
          new this.sdk.s3.GetObjectCommand({
            Bucket: this.bucket,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
          { abortSignal: signal },
        );
        if (!(r.Body instanceof Readable)) throw new Error(`GetObject ${key} returned no readable body`);
        return r.Body;
      } catch (err) {
        throw isNotFound(err) ? notFoundError(this.bucket, key) : err;
      }
    });
  }

  async stat(key: string): Promise<{ size: number } | null> {
    assertSafeKey(key);
    try {
      const r = await this.client.send(new this.sdk.s3.HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: r.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    // S3 answers 204 for a key that is not there, so deleting twice is fine, as on a disk.
    await this.client.send(new this.sdk.s3.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

/**
 * A Readable over a GetObject that starts the request on the first read (Storage.stream is
 * synchronous) and aborts it when destroyed, so a client that hangs up frees the connection.
 */
class ObjectStream extends Readable {
  private readonly abort = new AbortController();
  private body: Readable | null = null;
  private started = false;

  constructor(private readonly open: (signal: AbortSignal) => Promise<Readable>) {
    super();
  }

  override _read(): void {
    if (this.body) {
      this.body.resume();
      return;
    }
    if (this.started) return;
    this.started = true;
    this.open(this.abort.signal).then(
      (body) => {
        if (this.destroyed) {
          body.destroy();
          return;
        }
        this.body = body;
        body.on("data", (chunk: Buffer) => {
          if (!this.push(chunk)) body.pause();
        });
        body.on("end", () => this.push(null));
        body.on("error", (err) => this.destroy(err));
      },
      (err: Error) => this.destroy(err),
    );
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.abort.abort();
    this.body?.destroy();
    callback(err);
  }
}

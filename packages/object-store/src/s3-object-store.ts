import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { ObjectStoreError } from './errors.ts';
import { checkKey, checkListLimit, checkPrefix, checkRange } from './keys.ts';
import { MAX_LIST_LIMIT, type ListOptions, type ListPage, type ObjectStore, type PutOptions } from './object-store.ts';

export interface S3ObjectStoreConfig {
  bucket: string;
  region: string;
  /** For S3-compatible services and test servers, e.g. http://127.0.0.1:4566. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Defaults to the SDK's provider chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** 'WHEN_REQUIRED' for S3-compatible stores that reject the SDK's default checksums. */
  requestChecksumCalculation?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  responseChecksumValidation?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  /** Attempts per request, the SDK's retries included (its default is 3); callers with their own back-off lower it. */
  maxAttempts?: number;
}

/** Objects in one S3 bucket through @aws-sdk/client-s3. */
export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  readonly #client: S3Client;

  constructor(config: S3ObjectStoreConfig) {
    if (!config.bucket || !config.region) {
      throw new ObjectStoreError('INVALID_CONFIG', undefined, 'bucket and region are required');
    }
    this.bucket = config.bucket;
    this.#client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      credentials: config.credentials,
      requestChecksumCalculation: config.requestChecksumCalculation,
      responseChecksumValidation: config.responseChecksumValidation,
      maxAttempts: config.maxAttempts,
    });
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions = {}): Promise<void> {
    checkKey(key);
    if (Buffer.isBuffer(body) || options.contentLength !== undefined) {
      await this.#client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: Buffer.isBuffer(body) ? body.length : options.contentLength }),
      );
      return;
    }
    // A stream of unknown length cannot be signed up front; Upload sends it in parts.
    await new Upload({ client: this.#client, params: { Bucket: this.bucket, Key: key, Body: body } }).done();
  }

  async get(key: string): Promise<Buffer> {
    const response = await this.#getObject(key);
    return toBuffer(await response.Body!.transformToByteArray());
  }

  async getRange(key: string, start: number, endInclusive: number): Promise<Buffer> {
    checkRange(key, start, endInclusive);
    const response = await this.#getObject(key, `bytes=${start}-${endInclusive}`);
    return toBuffer(await response.Body!.transformToByteArray());
  }

  async getStream(key: string): Promise<Readable> {
    const response = await this.#getObject(key);
    return response.Body as Readable;
  }

  async head(key: string): Promise<{ size: number } | null> {
    checkKey(key);
    try {
      const response = await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: response.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFoundResponse(error)) return null;
      throw error;
    }
  }

  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    checkPrefix(prefix);
    const limit = checkListLimit(options);
    const response = await this.#client.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: prefix === '' ? undefined : prefix,
        MaxKeys: limit,
        ContinuationToken: options?.cursor,
      }),
    );
    const keys = (response.Contents ?? []).map((object) => object.Key!);
    return response.IsTruncated && response.NextContinuationToken
      ? { keys, nextCursor: response.NextContinuationToken }
      : { keys };
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Lists the prefix page by page and deletes each page with one DeleteObjects (at most 1000 keys). */
  async deletePrefix(prefix: string): Promise<number> {
    checkPrefix(prefix);
    let deleted = 0;
    let cursor: string | undefined;
    do {
      const page = await this.list(prefix, { cursor, limit: MAX_LIST_LIMIT });
      if (page.keys.length > 0) {
        const response = await this.#client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: page.keys.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const failed = response.Errors ?? [];
        if (failed.length > 0) {
          const first = failed[0];
          throw new Error(`DeleteObjects failed for ${failed.length} keys, first ${first.Key}: ${first.Code} ${first.Message}`);
        }
        deleted += page.keys.length;
      }
      cursor = page.nextCursor;
    } while (cursor);
    return deleted;
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  async #getObject(key: string, range?: string): Promise<GetObjectCommandOutput> {
    checkKey(key);
    try {
      return await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range }));
    } catch (error) {
      if (isNotFoundResponse(error)) throw new ObjectStoreError('NOT_FOUND', key, undefined, { cause: error });
      const name = (error as Error).name;
      if (name === 'InvalidRange' || httpStatus(error) === 416) {
        throw new ObjectStoreError('INVALID_RANGE', key, range, { cause: error });
      }
      throw error;
    }
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isNotFoundResponse(error: unknown): boolean {
  const name = (error as Error).name;
  return name === 'NoSuchKey' || name === 'NotFound' || (httpStatus(error) === 404 && name !== 'NoSuchBucket');
}

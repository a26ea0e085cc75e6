export type ProtocolErrorCode =
  /** The input ended before a value was complete. */
  | 'UNDERFLOW'
  /** A length or count is negative where null is not allowed, or larger than the input can hold. */
  | 'INVALID_LENGTH'
  /** A varint runs past its maximum width. */
  | 'INVALID_VARINT'
  /** A value cannot be encoded (null where the version does not allow it, out of range, wrong type). */
  | 'INVALID_VALUE'
  /** An API key or version this codec does not implement. */
  | 'UNSUPPORTED_VERSION'
  /** A record batch that is not magic v2, or whose lengths do not add up. */
  | 'CORRUPT_RECORD';

/**
 * Raised for malformed input and unencodable values. A broker catches it per request and answers
 * with a Kafka error code (CORRUPT_MESSAGE / INVALID_REQUEST) instead of dropping the process.
 */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  /** The message without the field path. */
  readonly detail: string;
  /** Field names from the message root to the value that failed to encode, when known. */
  readonly path: readonly string[];

  constructor(code: ProtocolErrorCode, detail: string, path: readonly string[] = []) {
    super(path.length > 0 ? `${path.join('.')}: ${detail}` : detail);
    this.name = 'ProtocolError';
    this.code = code;
    this.detail = detail;
    this.path = path;
  }
}

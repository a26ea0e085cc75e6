export const OBJECT_STORE_ERRORS = {
  NOT_FOUND: 'no object with this key',
  INVALID_KEY: 'invalid object key',
  INVALID_RANGE: 'the range starts past the end of the object',
  INVALID_ARGUMENT: 'invalid argument',
  INVALID_CONFIG: 'invalid object store configuration',
} as const;

export type ObjectStoreErrorCode = keyof typeof OBJECT_STORE_ERRORS;

export class ObjectStoreError extends Error {
  readonly code: ObjectStoreErrorCode;
  readonly key: string | undefined;

  constructor(code: ObjectStoreErrorCode, key?: string, detail?: string, options?: { cause?: unknown }) {
    const text = [OBJECT_STORE_ERRORS[code], detail].filter(Boolean).join(': ');
    super(key === undefined ? text : `${text} (key ${JSON.stringify(key)})`, options);
    this.name = 'ObjectStoreError';
    this.code = code;
    this.key = key;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ObjectStoreError && error.code === 'NOT_FOUND';
}

import { ERRORS } from './tables/errors.ts';

export type ErrorName = keyof typeof ERRORS;

export interface KafkaErrorInfo {
  name: string;
  code: number;
  retriable: boolean;
  message: string;
}

/** Kafka error codes by name: `ErrorCode.UNKNOWN_TOPIC_OR_PARTITION === 3`. */
export const ErrorCode = Object.freeze(
  Object.fromEntries(Object.entries(ERRORS).map(([name, info]) => [name, info.code])),
) as { readonly [K in ErrorName]: (typeof ERRORS)[K]['code'] };

const byCode = new Map<number, KafkaErrorInfo>(
  Object.entries(ERRORS).map(([name, info]) => [info.code, { name, ...info }]),
);

/** The table entry for a code; codes newer than the table answer as an unknown, non-retriable error. */
export function errorByCode(code: number): KafkaErrorInfo {
  return byCode.get(code) ?? { name: 'UNKNOWN', code, retriable: false, message: `Unknown error code ${code}.` };
}

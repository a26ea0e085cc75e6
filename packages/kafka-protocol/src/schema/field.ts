/** Scalar wire types, named as in Kafka's message specs. */
export type ScalarType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint16'
  | 'uint32'
  | 'float64'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

/**
 * One field of a request or response, in the vocabulary of Kafka's message specs
 * (clients/src/main/resources/common/message/*.json): version ranges are written "3+", "0-2" or "5".
 */
export interface FieldSpec {
  /** camelCase of the spec's field name; the key in decoded objects. */
  name: string;
  type: ScalarType | 'struct';
  /** An array of `type` (a struct array when type is 'struct'). */
  array?: boolean;
  versions: string;
  nullable?: string;
  /** Versions in which the field travels in the tagged-field section, under `tag`. */
  tagged?: string;
  tag?: number;
  /** Value used when the field is absent from a version (decode) or from the object (encode). */
  default?: number | bigint | boolean | string | null;
  fields?: FieldSpec[];
}

export interface VersionRange {
  min: number;
  max: number;
}

export function parseVersions(range: string | undefined): VersionRange | null {
  if (range === undefined || range === 'none') return null;
  if (range.endsWith('+')) return { min: Number(range.slice(0, -1)), max: Infinity };
  const [min, max = min] = range.split('-');
  return { min: Number(min), max: Number(max) };
}

export function inRange(range: VersionRange | null, version: number): boolean {
  return range !== null && version >= range.min && version <= range.max;
}

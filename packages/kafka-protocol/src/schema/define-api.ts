import { ProtocolError } from '../primitives/protocol-error.ts';
import type { Reader } from '../primitives/reader.ts';
import { Writer } from '../primitives/writer.ts';
import { compileStruct, type StructCodec } from './compile.ts';
import type { FieldSpec } from './field.ts';

export interface ApiSchema {
  name: string;
  key: number;
  minVersion: number;
  maxVersion: number;
  /** First flexible version, or Infinity if the API has none in the supported range. */
  flexibleFrom: number;
  request: FieldSpec[];
  response: FieldSpec[];
}

export interface ApiDefinition<Req = any, Res = any> {
  readonly name: string;
  readonly key: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly flexibleFrom: number;
  /** The field descriptions every version is encoded and decoded from. */
  readonly requestFields: readonly FieldSpec[];
  readonly responseFields: readonly FieldSpec[];
  isSupported(version: number): boolean;
  /** Request header v2 for flexible versions, v1 otherwise. */
  requestHeaderVersion(version: number): 1 | 2;
  /** Response header v1 for flexible versions, v0 otherwise (ApiVersions always v0). */
  responseHeaderVersion(version: number): 0 | 1;
  /** Body only: no header, no size prefix. */
  encodeRequest(version: number, body: Req): Buffer;
  decodeRequest(version: number, reader: Reader): Req;
  encodeResponse(version: number, body: Res): Buffer;
  decodeResponse(version: number, reader: Reader): Res;
  writeRequest(writer: Writer, version: number, body: Req): Writer;
  writeResponse(writer: Writer, version: number, body: Res): Writer;
}

/**
 * Turns a declarative schema into an ApiDefinition. Each (direction, version) pair is compiled
 * once, on first use, into a tree of closures, so the per-message cost is the field walk alone.
 */
export function defineApi<Req, Res>(schema: ApiSchema): ApiDefinition<Req, Res> {
  const requests: StructCodec[] = [];
  const responses: StructCodec[] = [];

  const check = (version: number): void => {
    if (!Number.isInteger(version) || version < schema.minVersion || version > schema.maxVersion) {
      throw new ProtocolError(
        'UNSUPPORTED_VERSION',
        `${schema.name} v${version} is not supported (v${schema.minVersion}-v${schema.maxVersion})`,
      );
    }
  };
  const requestCodec = (version: number): StructCodec => {
    check(version);
    return (requests[version] ??= compileStruct(schema.request, version, version >= schema.flexibleFrom));
  };
  const responseCodec = (version: number): StructCodec => {
    check(version);
    return (responses[version] ??= compileStruct(schema.response, version, version >= schema.flexibleFrom));
  };

  return {
    name: schema.name,
    key: schema.key,
    minVersion: schema.minVersion,
    maxVersion: schema.maxVersion,
    flexibleFrom: schema.flexibleFrom,
    requestFields: schema.request,
    responseFields: schema.response,
    isSupported: (version) => Number.isInteger(version) && version >= schema.minVersion && version <= schema.maxVersion,
    requestHeaderVersion: (version) => (version >= schema.flexibleFrom ? 2 : 1),
    // ApiVersions answers with header v0 even when flexible: a client that does not yet know the
    // broker's versions must be able to parse it (KIP-511).
    responseHeaderVersion: (version) => (schema.key !== 18 && version >= schema.flexibleFrom ? 1 : 0),
    encodeRequest: (version, body) => {
      const writer = new Writer();
      requestCodec(version).write(writer, body as object);
      return writer.toBuffer();
    },
    decodeRequest: (version, reader) => requestCodec(version).read(reader) as Req,
    encodeResponse: (version, body) => {
      const writer = new Writer();
      responseCodec(version).write(writer, body as object);
      return writer.toBuffer();
    },
    decodeResponse: (version, reader) => responseCodec(version).read(reader) as Res,
    writeRequest: (writer, version, body) => {
      requestCodec(version).write(writer, body as object);
      return writer;
    },
    writeResponse: (writer, version, body) => {
      responseCodec(version).write(writer, body as object);
      return writer;
    },
  };
}

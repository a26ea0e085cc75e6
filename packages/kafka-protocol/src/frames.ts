import { apiByKey } from './api-registry.ts';
import { ProtocolError } from './primitives/protocol-error.ts';
import { Reader } from './primitives/reader.ts';
import { Writer } from './primitives/writer.ts';
import type { ApiDefinition } from './schema/define-api.ts';
import type { FieldSpec } from './schema/field.ts';
import { compileFrameEncoder, type FrameEncoder } from './schema/frame-encoder.ts';

/*
 * Request Header v1 => request_api_key request_api_version correlation_id client_id
 *   request_api_key => INT16
 *   request_api_version => INT16
 *   correlation_id => INT32
 *   client_id => NULLABLE_STRING
 * Request Header v2 => request_api_key request_api_version correlation_id client_id TAG_BUFFER
 *   (client_id keeps its int16 length even here, so any broker can read the header of any request)
 * Response Header v0 => correlation_id
 * Response Header v1 => correlation_id TAG_BUFFER
 *
 * Every frame is prefixed with an INT32 size that counts the bytes after it.
 */

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/**
 * Decodes a request header (frame without size prefix). For an API key or version this codec does
 * not implement, only the v1 part is read, so the caller can still answer UNSUPPORTED_VERSION.
 */
export function decodeRequestHeader(reader: Reader): RequestHeader {
  const apiKey = reader.readInt16();
  const apiVersion = reader.readInt16();
  const correlationId = reader.readInt32();
  const clientId = reader.readNullableString();
  const api = apiByKey.get(apiKey);
  if (api?.isSupported(apiVersion) && api.requestHeaderVersion(apiVersion) === 2) reader.readTaggedFields();
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Decodes a whole request frame (without size prefix) whose API and version this codec implements. */
export function decodeRequestFrame(frame: Buffer): { header: RequestHeader; api: ApiDefinition; body: any } {
  const reader = new Reader(frame);
  const header = decodeRequestHeader(reader);
  const api = apiByKey.get(header.apiKey);
  if (!api?.isSupported(header.apiVersion)) {
    throw new ProtocolError('UNSUPPORTED_VERSION', `API key ${header.apiKey} v${header.apiVersion} is not supported`);
  }
  return { header, api, body: api.decodeRequest(header.apiVersion, reader) };
}

export function encodeRequestFrame(
  api: ApiDefinition,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: unknown,
): Buffer {
  const writer = new Writer();
  writer.appendInt32(0).appendInt16(api.key).appendInt16(version).appendInt32(correlationId).appendNullableString(clientId);
  if (api.requestHeaderVersion(version) === 2) writer.appendEmptyTaggedFields();
  api.writeRequest(writer, version, body);
  return writer.setInt32(0, writer.length - 4).toBuffer();
}

function writeResponseFrame(api: ApiDefinition, version: number, correlationId: number, body: unknown): Writer {
  const writer = new Writer();
  writer.appendInt32(0).appendInt32(correlationId);
  if (api.responseHeaderVersion(version) === 1) writer.appendEmptyTaggedFields();
  api.writeResponse(writer, version, body);
  return writer.setInt32(0, writer.length - 4);
}

export function encodeResponseFrame(api: ApiDefinition, version: number, correlationId: number, body: unknown): Buffer {
  return writeResponseFrame(api, version, correlationId, body).toBuffer();
}

const carriesRecords = (fields: readonly FieldSpec[]): boolean => fields.some((f) => f.type === 'records' || carriesRecords(f.fields ?? []));
/** Per API, per version; null for APIs whose responses hold no record sets. */
const frameEncoders = new Map<ApiDefinition, (FrameEncoder | undefined)[] | null>();

function frameEncoder(api: ApiDefinition, version: number): FrameEncoder | null {
  let encoders = frameEncoders.get(api);
  if (encoders === undefined) {
    encoders = carriesRecords(api.responseFields) ? [] : null;
    frameEncoders.set(api, encoders);
  }
  if (encoders === null) return null;
  if (!api.isSupported(version)) {
    throw new ProtocolError('UNSUPPORTED_VERSION', `${api.name} v${version} is not supported (v${api.minVersion}-v${api.maxVersion})`);
  }
  return (encoders[version] ??= compileFrameEncoder(api.responseFields, version, version >= api.flexibleFrom));
}

/**
 * The same bytes as encodeResponseFrame, as buffers for a vectored socket write
 * (`socket.cork(); chunks.forEach(c => socket.write(c)); socket.uncork()`). Responses holding
 * record sets (Fetch) take the broker's fast path: the record sets stay separate buffers, never
 * copied, and the rest is written in one pass into one buffer.
 */
export function encodeResponseFrameChunks(api: ApiDefinition, version: number, correlationId: number, body: unknown): Buffer[] {
  const encoder = frameEncoder(api, version);
  if (!encoder) return writeResponseFrame(api, version, correlationId, body).toChunks();
  const flexibleHeader = api.responseHeaderVersion(version) === 1;
  const head = Buffer.alloc(flexibleHeader ? 9 : 8);
  head.writeInt32BE(correlationId, 4);
  return encoder(head, body);
}

/** Decodes a response frame (without size prefix). */
export function decodeResponseFrame(api: ApiDefinition, version: number, frame: Buffer): { correlationId: number; body: any } {
  const reader = new Reader(frame);
  const correlationId = reader.readInt32();
  if (api.responseHeaderVersion(version) === 1) reader.readTaggedFields();
  return { correlationId, body: api.decodeResponse(version, reader) };
}

import { describe, expect, it } from 'vitest';
import {
  Api,
  ErrorCode,
  ProtocolError,
  Reader,
  apiByKey,
  decodeRequestFrame,
  decodeRequestHeader,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  encodeResponseFrameChunks,
  errorByCode,
} from '../src/index.ts';

describe('request frames', () => {
  it('uses header v1 for classic versions and v2 (tagged fields) for flexible ones', () => {
    const classic = encodeRequestFrame(Api.Metadata, 8, 7, 'cli', { topics: null, allowAutoTopicCreation: true });
    const flexible = encodeRequestFrame(Api.Metadata, 9, 7, 'cli', { topics: null, allowAutoTopicCreation: true });
    expect(classic.readInt32BE(0)).toBe(classic.length - 4);
    // header v1: key, version, correlation id, client id; then the body
    expect(classic.subarray(4, 17).toString('hex')).toBe('0003' + '0008' + '00000007' + '0003636c69');
    expect(flexible.subarray(4, 18).toString('hex')).toBe('0003' + '0009' + '00000007' + '0003636c69' + '00');
    for (const frame of [classic, flexible]) {
      const { header, api, body } = decodeRequestFrame(frame.subarray(4));
      expect(header).toEqual({ apiKey: 3, apiVersion: frame === classic ? 8 : 9, correlationId: 7, clientId: 'cli' });
      expect(api).toBe(Api.Metadata);
      expect(body).toMatchObject({ topics: null, allowAutoTopicCreation: true });
    }
  });

  it('reads the v1 part of a header for an unknown API or version, so the broker can answer', () => {
    const frame = Buffer.from('00120063' + '0000002a' + 'ffff' + 'deadbeef', 'hex'); // ApiVersions v99
    const reader = new Reader(frame);
    expect(decodeRequestHeader(reader)).toEqual({ apiKey: 18, apiVersion: 99, correlationId: 42, clientId: null });
    expect(reader.offset).toBe(10);
    expect(() => decodeRequestFrame(frame)).toThrow(ProtocolError);
    expect(decodeRequestHeader(new Reader(Buffer.from('7fff0000000000010000', 'hex'))).apiKey).toBe(32767);
  });

  it('throws ProtocolError on a truncated request', () => {
    const frame = encodeRequestFrame(Api.Produce, 7, 1, 'p', {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.alloc(100) }] }],
    });
    for (const cut of [5, 12, 20, frame.length - 1]) {
      expect(() => decodeRequestFrame(frame.subarray(4, cut))).toThrow(ProtocolError);
    }
  });
});

describe('response frames', () => {
  it('answers ApiVersions with header v0 even in its flexible versions', () => {
    const body = { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 9 }], throttleTimeMs: 0 };
    const frame = encodeResponseFrame(Api.ApiVersions, 3, 5, body);
    expect(frame.subarray(4, 10).toString('hex')).toBe('00000005' + '0000'); // no tag buffer after the correlation id
    expect(decodeResponseFrame(Api.ApiVersions, 3, frame.subarray(4))).toMatchObject({ correlationId: 5, body });
    const metadata = encodeResponseFrame(Api.Metadata, 9, 5, { brokers: [], topics: [] });
    expect(metadata.subarray(4, 9).toString('hex')).toBe('0000000500');
  });

  it('returns large record sets as separate chunks without copying', () => {
    const records = Buffer.alloc(100_000, 1);
    const body = {
      responses: [
        {
          topic: 't',
          partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 1n, lastStableOffset: 1n, logStartOffset: 0n, abortedTransactions: null, preferredReadReplica: -1, records }],
        },
      ],
    };
    const chunks = encodeResponseFrameChunks(Api.Fetch, 11, 9, body);
    expect(chunks).toContain(records);
    const whole = Buffer.concat(chunks);
    expect(whole.readInt32BE(0)).toBe(whole.length - 4);
    expect(whole.equals(encodeResponseFrame(Api.Fetch, 11, 9, body))).toBe(true);
    const decoded = decodeResponseFrame(Api.Fetch, 11, whole.subarray(4));
    expect(decoded.body.responses[0].partitions[0].records.equals(records)).toBe(true);
  });
});

describe('API table', () => {
  it('has unique keys and consistent ranges', () => {
    expect(apiByKey.size).toBe(Object.keys(Api).length);
    for (const api of apiByKey.values()) {
      expect(api.minVersion).toBeLessThanOrEqual(api.maxVersion);
      expect(api.flexibleFrom === Infinity || api.flexibleFrom >= api.minVersion).toBe(true);
    }
    expect(apiByKey.get(0)).toBe(Api.Produce);
    expect(Api.ApiVersions.flexibleFrom).toBe(3);
    expect(Api.SaslHandshake.flexibleFrom).toBe(Infinity);
  });
});

describe('error codes', () => {
  it('names codes and knows which are retriable', () => {
    expect(ErrorCode.NONE).toBe(0);
    expect(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).toBe(3);
    expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35);
    expect(ErrorCode.TOPIC_ALREADY_EXISTS).toBe(36);
    expect(errorByCode(6)).toMatchObject({ name: 'NOT_LEADER_OR_FOLLOWER', retriable: true });
    expect(errorByCode(36)).toMatchObject({ name: 'TOPIC_ALREADY_EXISTS', retriable: false });
    expect(errorByCode(9999)).toMatchObject({ name: 'UNKNOWN', code: 9999, retriable: false });
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (let code = -1; code <= 120; code++) expect(errorByCode(code).name).not.toBe('UNKNOWN');
  });
});

describe('record sets', () => {
  it('writes a null record set as an empty one (librdkafka rejects size -1) and still reads null', () => {
    const partition = { partitionIndex: 0, errorCode: 0, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n, abortedTransactions: null, preferredReadReplica: -1, records: null };
    const classic = Api.Fetch.encodeResponse(11, { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', partitions: [partition] }] });
    expect(classic.subarray(-4).toString('hex')).toBe('00000000');
    const flexible = Api.Fetch.encodeResponse(12, { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', partitions: [partition] }] });
    expect(Api.Fetch.decodeResponse(12, new Reader(flexible)).responses[0].partitions[0].records).toEqual(Buffer.alloc(0));
    const withNull = Buffer.from(classic);
    withNull.writeInt32BE(-1, withNull.length - 4);
    expect(Api.Fetch.decodeResponse(11, new Reader(withNull)).responses[0].partitions[0].records).toBe(null);
  });
});

import { describe, expect, it } from 'vitest';
import { FrameDecoder, FrameSizeError } from '../src/server/frame-decoder.ts';

const frame = (body: string) => {
  const b = Buffer.from(body);
  const out = Buffer.alloc(4 + b.length);
  out.writeInt32BE(b.length, 0);
  b.copy(out, 4);
  return out;
};

describe('FrameDecoder', () => {
  it('splits frames whatever the chunk boundaries', () => {
    const stream = Buffer.concat([frame('hello'), frame(''), frame('a longer frame body'), frame('x')]);
    for (let chunkSize = 1; chunkSize <= stream.length; chunkSize++) {
      const decoder = new FrameDecoder(1024);
      const frames: string[] = [];
      for (let at = 0; at < stream.length; at += chunkSize) {
        frames.push(...decoder.push(stream.subarray(at, at + chunkSize)).map((f) => f.toString()));
      }
      expect(frames).toEqual(['hello', '', 'a longer frame body', 'x']);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('returns a frame inside one chunk without copying it', () => {
    const chunk = frame('zero-copy');
    const [out] = new FrameDecoder(1024).push(chunk);
    expect(out!.buffer).toBe(chunk.buffer);
  });

  it('refuses sizes below zero or above the maximum', () => {
    const negative = Buffer.alloc(4);
    negative.writeInt32BE(-5, 0);
    expect(() => new FrameDecoder(1024).push(negative)).toThrow(FrameSizeError);
    expect(() => new FrameDecoder(4).push(frame('12345'))).toThrow(FrameSizeError);
    expect(new FrameDecoder(5).push(frame('12345'))).toHaveLength(1);
  });
});

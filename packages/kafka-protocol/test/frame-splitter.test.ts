import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameSizeError, FrameSplitter, readFrameSize } from '../src/index.ts';

const frame = (body: Buffer) => {
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
};

const sizePrefix = (size: number) => {
  const out = Buffer.alloc(4);
  out.writeInt32BE(size, 0);
  return out;
};

/** Cuts `stream` at the given points (any order, duplicates allowed), so empty chunks occur too. */
const cut = (stream: Buffer, points: number[]) => {
  const bounds = [0, ...points.map((p) => p % (stream.length + 1)).sort((a, b) => a - b), stream.length];
  return bounds.slice(1).map((end, i) => stream.subarray(bounds[i], end));
};

describe('FrameSplitter', () => {
  it('yields the same frames however the stream is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (bodies, points) => {
          const splitter = new FrameSplitter({ maxFrameBytes: 300 });
          const stream = Buffer.concat(bodies.map((b) => frame(Buffer.from(b))));
          const frames = cut(stream, points).flatMap((chunk) => splitter.push(chunk));
          expect(frames.map((f) => Buffer.from(f))).toEqual(bodies.map((b) => Buffer.from(b)));
          expect(splitter.buffered).toBe(0);
        },
      ),
    );
  });

  it('holds back an incomplete frame until its last byte arrives', () => {
    const splitter = new FrameSplitter({ maxFrameBytes: 100 });
    const whole = frame(Buffer.from('hello'));
    expect(splitter.push(whole.subarray(0, 2))).toEqual([]);
    expect(splitter.push(whole.subarray(2, 8))).toEqual([]);
    expect(splitter.buffered).toBe(8);
    expect(splitter.push(whole.subarray(8)).map(String)).toEqual(['hello']);
  });

  it('hands out a frame within one chunk as a view of it, without a copy', () => {
    const chunk = Buffer.concat([frame(Buffer.from('one')), frame(Buffer.from('two'))]);
    const [one, two] = new FrameSplitter({ maxFrameBytes: 100 }).push(chunk);
    expect(one.buffer).toBe(chunk.buffer);
    expect(two.byteOffset).toBe(chunk.byteOffset + 11);
  });

  it('refuses a size prefix outside the limits with a typed error, even before the frame arrives', () => {
    const error = (() => {
      try {
        new FrameSplitter({ maxFrameBytes: 10 }).push(sizePrefix(11));
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(FrameSizeError);
    expect(error).toMatchObject({ size: 11, minFrameBytes: 0, maxFrameBytes: 10 });
    expect(() => new FrameSplitter({ maxFrameBytes: 10 }).push(sizePrefix(-1))).toThrow(FrameSizeError);
    expect(() => new FrameSplitter({ maxFrameBytes: 10, minFrameBytes: 4 }).push(frame(Buffer.from('abc')))).toThrow(FrameSizeError);
  });

  it('applies a changed limit to the frames that follow', () => {
    const splitter = new FrameSplitter({ maxFrameBytes: 5 });
    expect(splitter.push(frame(Buffer.from('12345')))).toHaveLength(1);
    expect(() => splitter.push(frame(Buffer.from('123456')))).toThrow(FrameSizeError);
    const raised = new FrameSplitter({ maxFrameBytes: 5 });
    raised.maxFrameBytes = 10;
    expect(raised.push(frame(Buffer.from('1234567890')))).toHaveLength(1);
  });
});

describe('readFrameSize', () => {
  it('reads the prefix at an offset and checks it', () => {
    const bytes = Buffer.concat([Buffer.from('xx'), sizePrefix(7)]);
    expect(readFrameSize(bytes, 2, { maxFrameBytes: 7 })).toBe(7);
    expect(() => readFrameSize(bytes, 2, { maxFrameBytes: 6 })).toThrow(FrameSizeError);
  });
});

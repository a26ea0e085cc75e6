import { describe, expect, it } from 'vitest';
import { FrameSizeError } from '@fjord/kafka-protocol';
import { FrameReader } from '../src/server/frame-reader.ts';

const frame = (body: string | Buffer) => {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const out = Buffer.alloc(4 + b.length);
  out.writeInt32BE(b.length, 0);
  b.copy(out, 4);
  return out;
};

describe('FrameReader', () => {
  it('splits frames whatever the chunk boundaries, small and large alike', () => {
    const large = Buffer.alloc(300, 7);
    const stream = Buffer.concat([frame('hello'), frame(''), frame(large), frame('a longer frame body'), frame('x')]);
    for (let chunkSize = 1; chunkSize <= stream.length; chunkSize++) {
      // A 64-byte read area makes the 300-byte frame take the direct path.
      const reader = new FrameReader(1024, Buffer.alloc(64));
      const frames: Buffer[] = [];
      for (let at = 0; at < stream.length; at += chunkSize) frames.push(...reader.push(stream.subarray(at, at + chunkSize)));
      expect(frames.map((f) => f.toString())).toEqual(['hello', '', large.toString(), 'a longer frame body', 'x']);
    }
  });

  it('lets a large frame be read straight into its own buffer', () => {
    const reader = new FrameReader(1 << 20, Buffer.alloc(64));
    const body = Buffer.alloc(1000, 3);
    const head = frame(body).subarray(0, 20);
    expect(reader.push(head)).toEqual([]);
    const target = reader.nextBuffer();
    expect(target.length).toBe(1000 - 16);
    body.copy(target, 0, 16);
    reader.commit(target.length);
    const out = reader.next();
    expect(out!.equals(body)).toBe(true);
    expect(out!.buffer).toBe(target.buffer);
  });

  it('hands out frames that outlive the scratch buffer', () => {
    const reader = new FrameReader(1024, Buffer.alloc(64));
    const [first] = reader.push(frame('first'));
    reader.push(frame('second'));
    expect(first!.toString()).toBe('first');
  });

  it('refuses sizes below zero or above the maximum, which can change between frames', () => {
    const negative = Buffer.alloc(4);
    negative.writeInt32BE(-5, 0);
    expect(() => new FrameReader(1024).push(negative)).toThrow(FrameSizeError);
    expect(() => new FrameReader(4).push(frame('12345'))).toThrow(FrameSizeError);
    const reader = new FrameReader(5);
    expect(reader.push(frame('12345'))).toHaveLength(1);
    reader.maxFrameBytes = 10;
    expect(reader.push(frame('1234567890'))).toHaveLength(1);
  });

  it('judges each frame by the limit in force when it is taken, even frames read in one go', () => {
    const reader = new FrameReader(10, Buffer.alloc(64));
    const stream = Buffer.concat([frame('login'), frame('a bigger one')]);
    // One read: the login and the size of the next frame, which is over the limit in force now.
    const read = stream.copy(reader.nextBuffer());
    reader.commit(read);
    expect(reader.next()!.toString()).toBe('login');
    reader.maxFrameBytes = 100;
    expect(reader.next()).toBeUndefined();
    expect(reader.push(stream.subarray(read)).map(String)).toEqual(['a bigger one']);
  });

  it('holds nothing until bytes arrive, then no more than the frame they announce', () => {
    const reader = new FrameReader(4096);
    expect(reader.heldBytes).toBe(0);
    reader.push(frame(Buffer.alloc(3000)).subarray(0, 10));
    reader.nextBuffer();
    expect(reader.heldBytes).toBe(3000);
    const other = new FrameReader(4096);
    // A size header above the limit allocates nothing: the next take refuses it.
    expect(() => other.push(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2]))).toThrow(FrameSizeError);
    expect(other.heldBytes).toBeLessThan(16);
  });

  it('reads no more at once than one frame may take, so untaken frames stay small under a tight limit', () => {
    expect(new FrameReader(100).nextBuffer().length).toBe(104);
    expect(new FrameReader(1 << 20).nextBuffer().length).toBe(64 * 1024);
  });

  it('keeps a filled frame while more bytes arrive before it is taken', () => {
    const reader = new FrameReader(1024, Buffer.alloc(64));
    const big = Buffer.alloc(100, 5);
    expect(reader.push(frame(big).subarray(0, 10))).toEqual([]);
    const rest = reader.nextBuffer();
    frame(big).copy(rest, 0, 10);
    reader.commit(rest.length);
    const next = frame(Buffer.alloc(40, 6));
    next.copy(reader.nextBuffer(), 0, 0, 20);
    reader.commit(20);
    expect(reader.next()!.equals(big)).toBe(true);
    expect(reader.push(next.subarray(20))).toEqual([Buffer.alloc(40, 6)]);
  });
});

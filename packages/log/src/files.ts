import type { FileHandle } from 'node:fs/promises';

/** Where a read's bytes go: a buffer of at least `size` bytes, which the caller may reuse once done with them. */
export type ReadAllocator = (size: number) => Buffer;

const allocateFresh: ReadAllocator = (size) => Buffer.allocUnsafe(size);

/** Reads exactly `length` bytes at `position`, or fewer only at the end of the file. */
export async function readAt(file: FileHandle, position: number, length: number, allocate = allocateFresh): Promise<Buffer> {
  const buf = allocate(length).subarray(0, length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buf, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buf : buf.subarray(0, filled);
}

/** IOV_MAX on Linux. */
const MAX_BUFFERS_PER_WRITE = 1024;

/** Writes the buffers back to back from `position`, however many calls the kernel needs. */
export async function writeAllAt(file: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers;
  let at = position;
  while (pending.length > 0) {
    const slice = pending.slice(0, MAX_BUFFERS_PER_WRITE);
    const { bytesWritten } = await file.writev(slice, at);
    at += bytesWritten;
    pending = dropBytes(pending, bytesWritten);
  }
}

function dropBytes(buffers: Buffer[], count: number): Buffer[] {
  let remaining = count;
  let index = 0;
  while (index < buffers.length && remaining >= buffers[index].length) {
    remaining -= buffers[index].length;
    index++;
  }
  const rest = buffers.slice(index);
  if (remaining > 0) rest[0] = rest[0].subarray(remaining);
  return rest;
}

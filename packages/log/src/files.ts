import type { FileHandle } from 'node:fs/promises';

/** Reads exactly `length` bytes at `position`, or fewer only at the end of the file. */
export async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
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

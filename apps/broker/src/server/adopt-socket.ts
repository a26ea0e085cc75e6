import net from 'node:net';
import tls from 'node:tls';

export interface ReadTarget {
  /** Where the next bytes should be read to; empty while the target has no room (it has paused the socket then). */
  nextBuffer(): Buffer;
  /** `n` bytes were read into the last buffer. */
  onRead(n: number): void;
}

/**
 * Makes a server-side socket read into buffers of our choosing. Only a client `net.Socket` takes the
 * `onread` option, so the accepted connection's handle (accepted with pauseOnConnect, so no byte has
 * been read yet) moves into a socket built with it, and the emptied original is destroyed, which
 * releases the server's count of it. Where a Node has no such handle, the original socket is kept and
 * its 'data' chunks are copied into the target instead. So are a TLS socket's: its handle is the
 * TLS layer itself, which only the TLSSocket around it can drive.
 */
export function adoptSocket(accepted: net.Socket, target: ReadTarget): net.Socket {
  const holder = accepted as unknown as { _handle: unknown };
  const handle = holder._handle;
  if (handle && !(accepted instanceof tls.TLSSocket)) {
    holder._handle = null;
    accepted.destroy();
    const options = {
      handle,
      readable: true,
      writable: true,
      onread: { buffer: () => target.nextBuffer(), callback: (n: number) => void target.onRead(n) },
    };
    // `handle` is accepted by net.Socket (child_process and cluster pass sockets this way) but not in its types.
    const socket = new net.Socket(options as net.SocketConstructorOpts);
    socket.resume();
    return socket;
  }
  accepted.on('data', (chunk: Buffer) => {
    for (let at = 0; at < chunk.length; ) {
      const room = target.nextBuffer();
      // No room while the target holds frames it is not ready for (it paused us): the rest comes back on resume.
      if (room.length === 0) {
        accepted.unshift(chunk.subarray(at));
        return;
      }
      const n = chunk.copy(room, 0, at);
      at += n;
      target.onRead(n);
    }
  });
  accepted.resume();
  return accepted;
}

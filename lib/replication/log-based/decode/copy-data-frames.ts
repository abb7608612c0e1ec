/**
 * Reads a replication connection's CopyData frames straight from its socket. pg's protocol parser makes a
 * message object, a buffer view and an event per frame; at a few hundred thousand changes per job that is
 * a tenth of the reader's time and most of its garbage. Frames are cut here instead and handed over as a
 * range of the socket's chunk; every other message (errors, CopyDone, ReadyForQuery) still goes, whole,
 * to pg's parser, which so never holds part of a frame.
 */

/** A socket as pg's connection reads it (a net.Socket or tls.TLSSocket). */
export type TFrameSocket = {
  listeners(event: "data"): ((chunk: Buffer) => void)[];
  removeListener(event: "data", listener: (chunk: Buffer) => void): unknown;
  on(event: "data", listener: (chunk: Buffer) => void): unknown;
  destroy(error?: Error): unknown;
};

/** Handles one CopyData payload at buf[start, end); the buffer is valid only until it returns. */
export type TCopyDataHandler = (buf: Buffer, start: number, end: number) => void;

const COPY_DATA = 0x64; // 'd'
const HEADER = 5; // type byte + int32 length (which counts itself)

/**
 * Replaces pg's data listener on `socket` with a framer. Call it only while the connection is between
 * messages (before START_REPLICATION is sent): pg's parser must not hold part of one. False when the socket
 * does not have exactly pg's one listener (the caller then keeps pg's copyData events).
 */
export function interceptCopyData(socket: TFrameSocket, onCopyData: TCopyDataHandler): boolean {
  const existing = socket.listeners("data");
  if (existing.length !== 1) return false;
  const pgParse = existing[0]!;
  const framer = new CopyDataFramer(onCopyData, pgParse);
  socket.removeListener("data", pgParse);
  socket.on("data", (chunk) => {
    try {
      framer.push(chunk);
    } catch (err) {
      // A garbled stream: the connection fails (and the read with it) instead of the process.
      socket.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  });
  return true;
}

/** The whole size of the message at buf[at]: its type byte and its length, which counts itself. */
function messageSize(buf: Buffer, at: number): number {
  const length = buf.readInt32BE(at + 1);
  if (length < 4) throw new Error(`The replication stream sent a message of length ${length}: the connection is closed`);
  return 1 + length;
}

/** Cuts a byte stream into protocol messages; exported for its tests. */
export class CopyDataFramer {
  /** A message cut by the end of a chunk: its bytes so far (its full size once the header is known). */
  private partial: Buffer | null = null;
  private partialLength = 0;

  constructor(
    private readonly onCopyData: TCopyDataHandler,
    private readonly other: (message: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    let p = this.partial ? this.completePartial(chunk) : 0;
    if (p < 0) return;
    const n = chunk.length;
    while (n - p >= HEADER) {
      const size = messageSize(chunk, p);
      if (n - p < size) break;
      this.dispatch(chunk, p, p + size);
      p += size;
    }
    if (p < n) this.keep(chunk, p, n);
  }

  private dispatch(buf: Buffer, start: number, end: number): void {
    if (buf[start] === COPY_DATA) this.onCopyData(buf, start + HEADER, end);
    else this.other(buf.subarray(start, end));
  }

  /** Starts a partial message with the chunk's last bytes (a copy: the chunk is not ours to keep). */
  private keep(chunk: Buffer, from: number, to: number): void {
    const have = to - from;
    const size = have >= HEADER ? messageSize(chunk, from) : HEADER;
    this.partial = Buffer.allocUnsafe(Math.max(size, have));
    chunk.copy(this.partial, 0, from, to);
    this.partialLength = have;
  }

  /** Adds the chunk's first bytes to the partial message; returns where the chunk's own messages start (-1: all of it was used). */
  private completePartial(chunk: Buffer): number {
    let p = 0;
    for (;;) {
      const partial = this.partial!;
      const want = (this.partialLength >= HEADER ? messageSize(partial, 0) : HEADER) - this.partialLength;
      const take = Math.min(want, chunk.length - p);
      chunk.copy(partial, this.partialLength, p, p + take);
      this.partialLength += take;
      p += take;
      if (take < want) return -1;
      if (this.partialLength === HEADER && partial.length === HEADER) {
        // Only the header was pending: now the message's size is known.
        const size = messageSize(partial, 0);
        if (size > HEADER) {
          const grown = Buffer.allocUnsafe(size);
          partial.copy(grown, 0, 0, HEADER);
          this.partial = grown;
          continue;
        }
      }
      this.partial = null;
      this.partialLength = 0;
      this.dispatch(partial, 0, partial.length);
      return p;
    }
  }
}

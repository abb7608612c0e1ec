import type { LogicalReplicationService } from "pg-logical-replication";
import { interceptCopyData } from "../decode/copy-data-frames";
import type { TStreamEvent } from "../decode/events";
import type { TDecodingPlugin } from "../decode/plugins";
import { detachRaw } from "../decode/raw-tuples";
import { formatLsn, maxLsn, type TLsn } from "../lsn";
import type { TSlotReadOptions, TSlotReadResult } from "./read-slot";
import { replicationSocket } from "./replication-socket";

/**
 * Messages handled before the replication socket is paused for one turn of the event loop. libuv reads a
 * busy socket up to 32 times per turn: a flooding stream would otherwise hold the destination's replies
 * (the next COPY, MERGE, COMMIT of the write in flight) for tens of milliseconds each.
 */
const YIELD_EVERY_MESSAGES = 500;

type TStep = () => void | Promise<void>;

/**
 * One read of a slot (see readSlot): the messages cut off the socket are handled in order, one step at a
 * time; only a step that must wait pauses the socket, and messages read meanwhile queue behind it.
 * Acknowledges only `committedLsn()`; `done` settles when the read ends or fails.
 */
export class SlotStream {
  received = 0;
  private inTransaction = false;
  private lastActivity = Date.now();
  private lastServerLsn: TLsn | null = null;
  private lastAckSent: TLsn = -1n;
  private finished = false;
  private resolveDone!: (r: TSlotReadResult) => void;
  private rejectDone!: (e: unknown) => void;
  readonly done = new Promise<TSlotReadResult>((res, rej) => {
    this.resolveDone = res;
    this.rejectDone = rej;
  });
  private busy = false;
  private yielding = false;
  private sinceYield = 0;
  private readonly waiting: TStep[] = [];
  /** The steps running now: a read that fails still lets the one in progress end before it returns. */
  draining: Promise<void> = Promise.resolve();
  private receivedAtLastTick = 0;

  constructor(
    private readonly opts: TSlotReadOptions,
    private readonly service: LogicalReplicationService,
    private readonly plugin: TDecodingPlugin,
  ) {}

  /** The replication connection's socket (the library pauses the same one for its flowControl). */
  private socket() {
    return replicationSocket(this.service);
  }

  /** Status update with exactly the committed position (the library adds one to what it is given). */
  private async sendAck(ping = false): Promise<void> {
    const lsn = this.opts.committedLsn();
    if (lsn <= 0n) return;
    this.lastAckSent = maxLsn(this.lastAckSent, lsn);
    await this.service.acknowledge(formatLsn(lsn - 1n), ping);
  }

  readonly fail = (err: unknown): void => {
    if (this.finished) return;
    this.finished = true;
    this.rejectDone(err);
  };

  /** Ends the read; only ever called from a dispatched step, so nothing else is being handled. */
  private async finishNow(reason: TSlotReadResult["reason"]): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    try {
      await this.opts.onFinish();
      // Ask for a reply: it comes after the server has processed this acknowledgement.
      await this.sendAck(true);
      this.resolveDone({ reason, serverLsn: this.lastServerLsn, messages: this.received });
    } catch (err) {
      this.rejectDone(err);
    }
  }

  // ------------------------------------------------------------------ dispatch (one step at a time, in order)
  private yieldToOtherSockets(): void {
    this.yielding = true;
    this.socket()?.pause();
    setImmediate(() => {
      this.yielding = false;
      if (!this.busy && !this.finished) this.socket()?.resume();
    });
  }

  private async drain(first: Promise<void>): Promise<void> {
    this.busy = true;
    this.socket()?.pause();
    try {
      await first;
      for (let step = this.waiting.shift(); step && !this.finished; step = this.waiting.shift()) {
        const r = step();
        if (r) await r;
      }
      this.busy = false;
      if (!this.finished && !this.yielding) this.socket()?.resume();
    } catch (err) {
      this.fail(err);
    }
  }

  private run(step: TStep): void {
    if (this.finished) return;
    if (this.busy) {
      this.waiting.push(step);
      return;
    }
    try {
      const r = step();
      if (r) this.draining = this.drain(r);
    } catch (err) {
      this.fail(err);
    }
  }

  private afterEvent(event: TStreamEvent, walStart: TLsn): void | Promise<void> {
    if (event.kind !== "commit") return;
    this.inTransaction = false;
    const end = event.endLsn ?? walStart;
    this.lastServerLsn = this.lastServerLsn === null ? end : maxLsn(this.lastServerLsn, end);
    if (end >= this.opts.targetLsn) return this.finishNow("caught-up");
    if (this.opts.shouldStop()) return this.finishNow("stopped");
  }

  private handleMessage(walStart: TLsn, event: TStreamEvent): void | Promise<void> {
    if (this.finished) return;
    if (event.kind === "begin") this.inTransaction = true;
    const r = this.opts.onEvent(event, walStart);
    return r ? r.then(() => this.afterEvent(event, walStart)) : this.afterEvent(event, walStart);
  }

  /** XLogData at buf[start, end): 'w', start position, end position, send time, then the plugin's message. */
  private onData(buf: Buffer, start: number, end: number): void {
    this.received++; // the timer turns a changed count into activity (no clock read per message)
    if (this.finished) return;
    const event = this.plugin.parse(buf, start + 25, end);
    // A change never needs its message's position (a BigInt per change otherwise).
    const walStart = event.kind === "change" ? 0n : buf.readBigUInt64BE(start + 1);
    if (this.busy) {
      // Handled later: a tuple still in the message must leave the connection's read buffer first.
      if (event.kind === "change" && event.raw) event.raw = detachRaw(event.raw, end);
      this.waiting.push(() => this.handleMessage(walStart, event));
      return;
    }
    // The common case, without a closure per message: handled now, in the socket's read callback.
    try {
      const r = this.handleMessage(walStart, event);
      if (r) this.draining = this.drain(r);
    } catch (err) {
      this.fail(err);
    }
    if (++this.sinceYield >= YIELD_EVERY_MESSAGES && !this.yielding) {
      this.sinceYield = 0;
      this.yieldToOtherSockets();
    }
  }

  private onHeartbeat(k: TLsn, shouldRespond: boolean): void {
    // The server reading on through WAL (a long transaction being decoded, other tables' changes) is progress.
    if (this.lastServerLsn === null || k > this.lastServerLsn) this.lastActivity = Date.now();
    this.lastServerLsn = this.lastServerLsn === null ? k : maxLsn(this.lastServerLsn, k);
    if (shouldRespond) void this.sendAck().catch(this.fail);
    // Idle: every message before this keepalive handled (steps run in order), no transaction open.
    this.run(async () => {
      if (this.finished || this.inTransaction) return;
      await this.opts.onIdle(k);
      await this.sendAck();
      if (k >= this.opts.targetLsn) await this.finishNow("caught-up");
      else if (this.opts.shouldStop()) await this.finishNow("stopped");
    });
  }

  /** A CopyData payload at buf[start, end): XLogData ('w') or a primary keepalive ('k': end, send time, reply asked). */
  private readonly onCopyData = (buf: Buffer, start: number, end: number): void => {
    try {
      if (buf[start] === 0x77) this.onData(buf, start, end);
      else if (buf[start] === 0x6b) this.onHeartbeat(buf.readBigUInt64BE(start + 1), buf[start + 17] === 1);
    } catch (err) {
      this.fail(err);
    }
  };

  /** The plugin the service starts: the same one, reading the frames off the socket itself. */
  reader(): TDecodingPlugin {
    const plugin = this.plugin;
    const onCopyData = this.onCopyData;
    return {
      options: plugin.options,
      name: plugin.name,
      start(client, slotName, lastLsn) {
        // Called by the library once its own handler is on the connection, before START_REPLICATION is
        // sent (the connection is between messages): ours replaces it, reading the frames off the socket.
        const connection = client.connection;
        connection.removeAllListeners("copyData");
        if (!interceptCopyData(connection.stream, onCopyData)) connection.on("copyData", ({ chunk }: { chunk: Buffer }) => onCopyData(chunk, 0, chunk.length));
        return plugin.start(client, slotName, lastLsn);
      },
      parse: (buffer, at, end) => plugin.parse(buffer, at, end),
    };
  }

  /** Once a second: activity from the message count, acknowledgements, the idle timeout and Stop. */
  tick(idleTimeoutMs: number): void {
    if (this.finished) return;
    if (this.received !== this.receivedAtLastTick) {
      this.receivedAtLastTick = this.received;
      this.lastActivity = Date.now();
    }
    const quiet = Date.now() - this.lastActivity;
    // Ask for a keepalive (it carries the server's position) when nothing arrived lately; send the
    // committed position now and then so the server never times the connection out.
    if (quiet > 500 || this.opts.committedLsn() > this.lastAckSent) void this.sendAck(quiet > 500).catch(this.fail);
    if (quiet > idleTimeoutMs) this.run(() => this.finishNow("idle-timeout"));
    else if (this.opts.shouldStop() && !this.inTransaction && !this.busy) this.run(() => this.finishNow("stopped"));
  }
}

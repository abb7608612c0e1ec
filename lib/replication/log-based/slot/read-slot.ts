import { LogicalReplicationService } from "pg-logical-replication";
import type pg from "pg";
import { TEXT_TYPES, tlsOptions, type TSourceConnection } from "@/lib/source/connection";
import { openSshTunnel } from "@/lib/source/ssh-tunnel";
import type { TStreamEvent } from "../decode/events";
import { REPLICATION_SESSION_OPTIONS } from "./session-options";
import { detachRaw } from "../decode/raw-tuples";
import { interceptCopyData } from "../decode/copy-data-frames";
import { replicationSocket } from "./replication-socket";
import { formatLsn, maxLsn, type TLsn } from "../lsn";
import { PgoutputEventsPlugin, Wal2JsonEventsPlugin, type TDecodingPlugin, type TPluginName, type TStreamTable } from "../decode/plugins";

export type TSlotReadOptions = {
  conn: TSourceConnection;
  database: string;
  slot: string;
  plugin: TPluginName;
  /** wal2json: the tables to send (add-tables). */
  tables: TStreamTable[];
  /** pgoutput: the publication. */
  publication: string | null;
  /** pgoutput: ask for binary values (see PgoutputEventsPlugin); `binaryReadAs`: domains' and enums' type OIDs → the type their values are read as. */
  binary?: boolean;
  binaryReadAs?: ReadonlyMap<number, number>;
  /** The server position when the job started: reading ends once the stream has passed it. */
  targetLsn: TLsn;
  /**
   * Handles one event, in stream order; `walStart` is the message's position. Returns a promise only when
   * it must wait (a slow destination back-pressures the stream: reading pauses until it settles).
   */
  onEvent(event: TStreamEvent, walStart: TLsn): void | Promise<void>;
  /**
   * Nothing is in flight and the server has decoded everything up to `serverLsn`: no transaction below
   * it is unapplied. The consumer may record that position (and so let the slot move on).
   */
  onIdle(serverLsn: TLsn): Promise<void>;
  /** Called once at the end, before the final acknowledgement: write out anything still buffered. */
  onFinish(): Promise<void>;
  /** The highest position the destination has committed: the only position ever acknowledged. */
  committedLsn(): TLsn;
  shouldStop(): boolean;
  /** How long to wait with no progress before ending the read anyway (everything applied stays safe). */
  idleTimeoutMs?: number;
};

/**
 * Messages handled before the replication socket is paused for one turn of the event loop. libuv reads a
 * busy socket up to 32 times per turn: a flooding stream would otherwise hold the destination's replies
 * (the next COPY, MERGE, COMMIT of the write in flight) for tens of milliseconds each.
 */
const YIELD_EVERY_MESSAGES = 500;

export type TSlotReadResult = { reason: "caught-up" | "stopped" | "idle-timeout"; serverLsn: TLsn | null; messages: number };

/**
 * Reads a logical slot in batch mode: from the slot's confirmed position until the position current at
 * the job's start, then ends.
 *
 * Acknowledgement (pg-logical-replication 2.5 acknowledges the last *received* position on its own timer,
 * its issue #174): the service runs with `{ auto: false, timeoutSeconds: 0 }`, keepalives that ask for a
 * reply get one at once, and a timer of ours sends only `committedLsn()` — what the destination holds.
 *
 * Dispatch: the library's own flowControl awaits a promise per message, which at hundreds of thousands of
 * changes costs more than decoding them. Here a message is handled synchronously as it arrives; only a
 * step that must wait (a destination write when the next batch is already full, a source lookup) pauses
 * the socket, and messages already read meanwhile queue up behind it in order.
 *
 * Reading: the library connects, starts replication and sends the acknowledgements. The CopyData
 * messages themselves are cut off the socket by our framer (copy-data-frames.ts), installed when the
 * plugin starts: the library's handler makes a position string and a buffer view per message, and pg's
 * parser a message object and an event, before the plugin sees it.
 */
export async function readSlot(opts: TSlotReadOptions): Promise<TSlotReadResult> {
  const tunnel = opts.conn.ssh ? await openSshTunnel(opts.conn.ssh, { host: opts.conn.host, port: opts.conn.port }) : null;
  let received = 0;
  const plugin: TDecodingPlugin = opts.plugin === "wal2json" ? new Wal2JsonEventsPlugin(opts.tables) : new PgoutputEventsPlugin([opts.publication ?? opts.slot], opts.binary ?? false, opts.binaryReadAs);

  const clientConfig: pg.ClientConfig = {
    host: tunnel?.localHost ?? opts.conn.host,
    port: tunnel?.localPort ?? opts.conn.port,
    user: opts.conn.user,
    password: opts.conn.password,
    database: opts.database,
    ssl: tlsOptions(opts.conn.sslMode, opts.conn.sslCa, opts.conn.host),
    connectionTimeoutMillis: opts.conn.connectTimeoutMs ?? 10_000,
    application_name: "pgreplicate-log-based",
    types: TEXT_TYPES,
    options: REPLICATION_SESSION_OPTIONS,
  };
  const service = new LogicalReplicationService(clientConfig, { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: false } });
  /** The replication connection's socket (the library pauses the same one for its flowControl). */
  const socket = () => replicationSocket(service);

  let inTransaction = false;
  let lastActivity = Date.now();
  let lastServerLsn: TLsn | null = null;
  let lastAckSent: TLsn = -1n;
  let finished = false;
  let resolveDone!: (r: TSlotReadResult) => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<TSlotReadResult>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });

  /** Status update with exactly the committed position (the library adds one to what it is given). */
  const sendAck = async (ping = false): Promise<void> => {
    const lsn = opts.committedLsn();
    if (lsn <= 0n) return;
    lastAckSent = maxLsn(lastAckSent, lsn);
    await service.acknowledge(formatLsn(lsn - 1n), ping);
  };

  const fail = (err: unknown) => {
    if (finished) return;
    finished = true;
    rejectDone(err);
  };

  /** Ends the read; only ever called from a dispatched step, so nothing else is being handled. */
  const finishNow = async (reason: TSlotReadResult["reason"]): Promise<void> => {
    if (finished) return;
    finished = true;
    try {
      await opts.onFinish();
      // Ask for a reply: it comes after the server has processed this acknowledgement.
      await sendAck(true);
      resolveDone({ reason, serverLsn: lastServerLsn, messages: received });
    } catch (err) {
      rejectDone(err);
    }
  };

  // ------------------------------------------------------------------ dispatch (one step at a time, in order)
  type TStep = () => void | Promise<void>;
  let busy = false;
  let yielding = false;
  let sinceYield = 0;
  const yieldToOtherSockets = () => {
    yielding = true;
    socket()?.pause();
    setImmediate(() => {
      yielding = false;
      if (!busy && !finished) socket()?.resume();
    });
  };
  const waiting: TStep[] = [];
  /** The steps running now: a read that fails still lets the one in progress end before it returns. */
  let draining: Promise<void> = Promise.resolve();
  const drain = async (first: Promise<void>): Promise<void> => {
    busy = true;
    socket()?.pause();
    try {
      await first;
      for (let step = waiting.shift(); step && !finished; step = waiting.shift()) {
        const r = step();
        if (r) await r;
      }
      busy = false;
      if (!finished && !yielding) socket()?.resume();
    } catch (err) {
      fail(err);
    }
  };
  const run = (step: TStep): void => {
    if (finished) return;
    if (busy) {
      waiting.push(step);
      return;
    }
    try {
      const r = step();
      if (r) draining = drain(r);
    } catch (err) {
      fail(err);
    }
  };

  const afterEvent = (event: TStreamEvent, walStart: TLsn): void | Promise<void> => {
    if (event.kind !== "commit") return;
    inTransaction = false;
    const end = event.endLsn ?? walStart;
    lastServerLsn = lastServerLsn === null ? end : maxLsn(lastServerLsn, end);
    if (end >= opts.targetLsn) return finishNow("caught-up");
    if (opts.shouldStop()) return finishNow("stopped");
  };
  const handleMessage = (walStart: TLsn, event: TStreamEvent): void | Promise<void> => {
    if (finished) return;
    if (event.kind === "begin") inTransaction = true;
    const r = opts.onEvent(event, walStart);
    return r ? r.then(() => afterEvent(event, walStart)) : afterEvent(event, walStart);
  };

  /** XLogData at buf[start, end): 'w', start position, end position, send time, then the plugin's message. */
  const onData = (buf: Buffer, start: number, end: number): void => {
    received++; // the timer turns a changed count into activity (no clock read per message)
    if (finished) return;
    const event = plugin.parse(buf, start + 25, end);
    // A change never needs its message's position (a BigInt per change otherwise).
    const walStart = event.kind === "change" ? 0n : buf.readBigUInt64BE(start + 1);
    if (busy) {
      // Handled later: a tuple still in the message must leave the connection's read buffer first.
      if (event.kind === "change" && event.raw) event.raw = detachRaw(event.raw, end);
      waiting.push(() => handleMessage(walStart, event));
      return;
    }
    // The common case, without a closure per message: handled now, in the socket's read callback.
    try {
      const r = handleMessage(walStart, event);
      if (r) draining = drain(r);
    } catch (err) {
      fail(err);
    }
    if (++sinceYield >= YIELD_EVERY_MESSAGES && !yielding) {
      sinceYield = 0;
      yieldToOtherSockets();
    }
  };

  const onHeartbeat = (k: TLsn, shouldRespond: boolean): void => {
    // The server reading on through WAL (a long transaction being decoded, other tables' changes) is progress.
    if (lastServerLsn === null || k > lastServerLsn) lastActivity = Date.now();
    lastServerLsn = lastServerLsn === null ? k : maxLsn(lastServerLsn, k);
    if (shouldRespond) void sendAck().catch(fail);
    // Idle: every message before this keepalive handled (steps run in order), no transaction open.
    run(async () => {
      if (finished || inTransaction) return;
      await opts.onIdle(k);
      await sendAck();
      if (k >= opts.targetLsn) await finishNow("caught-up");
      else if (opts.shouldStop()) await finishNow("stopped");
    });
  };

  /** A CopyData payload at buf[start, end): XLogData ('w') or a primary keepalive ('k': end, send time, reply asked). */
  const onCopyData = (buf: Buffer, start: number, end: number): void => {
    try {
      if (buf[start] === 0x77) onData(buf, start, end);
      else if (buf[start] === 0x6b) onHeartbeat(buf.readBigUInt64BE(start + 1), buf[start + 17] === 1);
    } catch (err) {
      fail(err);
    }
  };
  const reader: TDecodingPlugin = {
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

  service.on("error", fail);

  const idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
  let receivedAtLastTick = 0;
  const timer = setInterval(() => {
    if (finished) return;
    if (received !== receivedAtLastTick) {
      receivedAtLastTick = received;
      lastActivity = Date.now();
    }
    const quiet = Date.now() - lastActivity;
    // Ask for a keepalive (it carries the server's position) when nothing arrived lately; send the
    // committed position now and then so the server never times the connection out.
    if (quiet > 500 || opts.committedLsn() > lastAckSent) void sendAck(quiet > 500).catch(fail);
    if (quiet > idleTimeoutMs) run(() => finishNow("idle-timeout"));
    else if (opts.shouldStop() && !inTransaction && !busy) run(() => finishNow("stopped"));
  }, 1000);

  try {
    service
      .subscribe(reader, opts.slot, "0/0")
      .then(() => fail(new Error(`The replication connection for slot ${opts.slot} ended unexpectedly`)))
      .catch(fail);
    return await done;
  } finally {
    clearInterval(timer);
    await draining;
    await service.stop().catch(() => undefined);
    service.removeAllListeners();
    await tunnel?.close().catch(() => undefined);
  }
}

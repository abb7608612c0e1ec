import { LogicalReplicationService, type Pgoutput } from "pg-logical-replication";
import type pg from "pg";
import { setImmediate as yieldToIo } from "node:timers/promises";
import { TEXT_TYPES, tlsOptions, type TSourceConnection } from "@/lib/source/connection";
import { openSshTunnel } from "@/lib/source/ssh-tunnel";
import { decodePgoutput, decodeWal2Json, type TStreamEvent } from "./changes";
import { REPLICATION_SESSION_OPTIONS } from "./session";
import { formatLsn, maxLsn, parseLsn, type TLsn } from "./lsn";
import { ExactWal2JsonPlugin, TextPgoutputPlugin, type TPluginName, type TStreamTable } from "./plugins";

export type TSlotReadOptions = {
  conn: TSourceConnection;
  database: string;
  slot: string;
  plugin: TPluginName;
  /** wal2json: the tables to send (add-tables). */
  tables: TStreamTable[];
  /** pgoutput: the publication. */
  publication: string | null;
  /** The server position when the job started: reading ends once the stream has passed it. */
  targetLsn: TLsn;
  /** Handles one event, in stream order (awaited: a slow destination back-pressures the stream). */
  onEvent(event: TStreamEvent, lsn: TLsn): Promise<void>;
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

/** Messages handled between two turns of the event loop (see the data handler). */
const YIELD_EVERY_MESSAGES = 500;

export type TSlotReadResult = { reason: "caught-up" | "stopped" | "idle-timeout"; serverLsn: TLsn | null; messages: number };

/**
 * Reads a logical slot in batch mode: from the slot's confirmed position until the position current at
 * the job's start, then ends.
 *
 * Acknowledgement (pg-logical-replication 2.5 acknowledges the last *received* position on its own timer,
 * its issue #174): the service runs with `{ auto: false, timeoutSeconds: 0 }`, keepalives that ask for a
 * reply get one at once, and a timer of ours sends only `committedLsn()` — what the destination holds.
 * `flowControl` pauses the socket while a message is handled, so a slow destination never makes the
 * stream pile up in memory.
 */
export async function readSlot(opts: TSlotReadOptions): Promise<TSlotReadResult> {
  const tunnel = opts.conn.ssh ? await openSshTunnel(opts.conn.ssh, { host: opts.conn.host, port: opts.conn.port }) : null;
  let received = 0;
  let handled = 0;
  const onParsed = () => {
    received++;
  };
  const plugin = opts.plugin === "wal2json" ? new ExactWal2JsonPlugin(opts.tables, onParsed) : new TextPgoutputPlugin([opts.publication ?? opts.slot], onParsed);
  const decode = (msg: unknown): TStreamEvent => (opts.plugin === "wal2json" ? decodeWal2Json(msg) : decodePgoutput(msg as Pgoutput.Message));

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
  const service = new LogicalReplicationService(clientConfig, { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } });

  let inTransaction = false;
  let lastActivity = Date.now();
  let lastServerLsn: TLsn | null = null;
  let lastAckSent: TLsn = -1n;
  let finished = false;
  let chain: Promise<void> = Promise.resolve();
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

  /** Ends the read; only ever called from inside the chain, so nothing else is being handled. */
  const finishNow = async (reason: TSlotReadResult["reason"]): Promise<void> => {
    if (finished) return;
    finished = true;
    await opts.onFinish();
    // Ask for a reply: it comes after the server has processed this acknowledgement.
    await sendAck(true);
    resolveDone({ reason, serverLsn: lastServerLsn, messages: received });
  };
  const enqueue = (step: () => Promise<void>): Promise<void> => {
    chain = chain.then(step).catch((err: unknown) => {
      if (!finished) fail(err);
      else rejectDone(err);
    });
    return chain;
  };

  service.on("data", (lsnText: string, msg: unknown) =>
    enqueue(async () => {
      if (finished) return;
      lastActivity = Date.now();
      const event = decode(msg);
      const lsn = parseLsn(lsnText);
      if (event.kind === "begin") inTransaction = true;
      await opts.onEvent(event, lsn);
      handled++;
      if (event.kind === "commit") {
        inTransaction = false;
        const end = event.endLsn ?? lsn;
        lastServerLsn = lastServerLsn === null ? end : maxLsn(lastServerLsn, end);
        if (end >= opts.targetLsn) await finishNow("caught-up");
        else if (opts.shouldStop()) await finishNow("stopped");
      }
      // Handling a message never waits on I/O unless it writes, so a fast stream would keep the event loop
      // to itself: the destination write running in the background would get its replies (and send its
      // COPY data) only between socket reads. Now and then, let pending I/O through.
      if (!finished && handled % YIELD_EVERY_MESSAGES === 0) await yieldToIo();
    }),
  );

  service.on("heartbeat", (lsnText: string, _ts: number, shouldRespond: boolean) => {
    const k = parseLsn(lsnText);
    // The server reading on through WAL (a long transaction being decoded, other tables' changes) is progress.
    if (lastServerLsn === null || k > lastServerLsn) lastActivity = Date.now();
    lastServerLsn = lastServerLsn === null ? k : maxLsn(lastServerLsn, k);
    if (shouldRespond) void sendAck().catch(fail);
    if (finished) return;
    // Idle: every received message handled, no transaction open. Serialized with the data handler.
    void enqueue(async () => {
      if (finished || received !== handled || inTransaction) return;
      await opts.onIdle(k);
      await sendAck();
      if (k >= opts.targetLsn) await finishNow("caught-up");
      else if (opts.shouldStop()) await finishNow("stopped");
    });
  });

  service.on("error", fail);

  const idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
  const timer = setInterval(() => {
    if (finished) return;
    const quiet = Date.now() - lastActivity;
    // Ask for a keepalive (it carries the server's position) when nothing arrived lately; send the
    // committed position now and then so the server never times the connection out.
    if (quiet > 500 || opts.committedLsn() > lastAckSent) void sendAck(quiet > 500).catch(fail);
    if (quiet > idleTimeoutMs) void enqueue(() => finishNow("idle-timeout"));
    else if (opts.shouldStop() && !inTransaction && received === handled) void enqueue(() => finishNow("stopped"));
  }, 1000);

  try {
    service
      .subscribe(plugin, opts.slot, "0/0")
      .then(() => fail(new Error(`The replication connection for slot ${opts.slot} ended unexpectedly`)))
      .catch(fail);
    return await done;
  } finally {
    clearInterval(timer);
    await service.stop().catch(() => undefined);
    service.removeAllListeners();
    await tunnel?.close().catch(() => undefined);
  }
}

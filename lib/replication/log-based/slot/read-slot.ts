import { LogicalReplicationService } from "pg-logical-replication";
import type pg from "pg";
import { TEXT_TYPES, tlsOptions, type TSourceConnection } from "@/lib/source/connection";
import { openSshTunnel } from "@/lib/source/ssh-tunnel";
import type { TStreamEvent } from "../decode/events";
import { REPLICATION_SESSION_OPTIONS } from "./session-options";
import type { TLsn } from "../lsn";
import { PgoutputEventsPlugin, Wal2JsonEventsPlugin, type TDecodingPlugin, type TPluginName, type TStreamTable } from "../decode/plugins";
import { SlotStream } from "./slot-stream";

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
  const stream = new SlotStream(opts, service, plugin);
  service.on("error", stream.fail);

  const idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
  const timer = setInterval(() => stream.tick(idleTimeoutMs), 1000);

  try {
    service
      .subscribe(stream.reader(), opts.slot, "0/0")
      .then(() => stream.fail(new Error(`The replication connection for slot ${opts.slot} ended unexpectedly`)))
      .catch(stream.fail);
    return await stream.done;
  } finally {
    clearInterval(timer);
    await stream.draining;
    await service.stop().catch(() => undefined);
    service.removeAllListeners();
    await tunnel?.close().catch(() => undefined);
  }
}

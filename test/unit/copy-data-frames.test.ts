import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { CopyDataFramer, interceptCopyData, type TFrameSocket } from "@/lib/replication/log-based/decode/copy-data-frames";

/**
 * The replication reader cuts CopyData frames off the socket itself. Whatever way the socket splits the
 * bytes, every CopyData payload must arrive whole and in order, and every other message must reach pg's
 * parser whole, in its place in the order.
 */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const stream = Buffer.concat([
  message("W", Buffer.from([0, 0, 0])), // CopyBothResponse: pg's
  message("d", Buffer.from("w-first change")),
  message("d", Buffer.alloc(0)),
  message("d", Buffer.from("k")),
  message("N", Buffer.from("a notice\0")), // pg's
  message("d", Buffer.from("x".repeat(300))),
  message("c", Buffer.alloc(0)), // CopyDone, an empty body: pg's
  message("d", Buffer.from("w-last")),
]);
const expected = ["pg:W", "d:w-first change", "d:", "d:k", "pg:N", `d:${"x".repeat(300)}`, "pg:c", "d:w-last"];

function run(chunks: Buffer[]): string[] {
  const seen: string[] = [];
  const framer = new CopyDataFramer(
    (buf, start, end) => seen.push(`d:${buf.toString("latin1", start, end)}`),
    (msg) => {
      // pg's parser gets exactly one whole message.
      expect(msg.readInt32BE(1) + 1).toBe(msg.length);
      seen.push(`pg:${String.fromCharCode(msg[0]!)}`);
    },
  );
  for (const c of chunks) {
    framer.push(c);
    c.fill(0); // the socket's chunk is gone once its handler returns
  }
  return seen;
}

describe("CopyData framer", () => {
  it("delivers every message whole, in order, from a single chunk", () => {
    expect(run([Buffer.from(stream)])).toEqual(expected);
  });

  it("delivers the same for every split of the stream into two chunks", () => {
    for (let cut = 1; cut < stream.length; cut++) {
      expect(run([Buffer.from(stream.subarray(0, cut)), Buffer.from(stream.subarray(cut))]), `cut at ${cut}`).toEqual(expected);
    }
  });

  it("delivers the same when the socket hands over one byte at a time", () => {
    expect(run([...stream].map((b) => Buffer.from([b])))).toEqual(expected);
  });

  it("replaces pg's data listener on the socket, and refuses a socket it does not recognise", () => {
    const socket = new EventEmitter() as EventEmitter & TFrameSocket;
    const toPg: string[] = [];
    socket.on("data", (chunk: Buffer) => toPg.push(String.fromCharCode(chunk[0]!)));
    const payloads: string[] = [];
    expect(interceptCopyData(socket, (buf, start, end) => payloads.push(buf.toString("latin1", start, end)))).toBe(true);
    socket.emit("data", Buffer.from(stream));
    expect(payloads).toEqual(expected.filter((e) => e.startsWith("d:")).map((e) => e.slice(2)));
    expect(toPg).toEqual(["W", "N", "c"]);

    // A garbled length fails the connection, not the process.
    let destroyed: Error | undefined;
    const bad = Object.assign(new EventEmitter(), { destroy: (e?: Error) => (destroyed = e) }) as EventEmitter & TFrameSocket;
    bad.on("data", () => undefined);
    expect(interceptCopyData(bad, () => undefined)).toBe(true);
    bad.emit("data", Buffer.from([0x64, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0]));
    expect(destroyed?.message).toMatch(/message of length -16/);

    const two = new EventEmitter() as EventEmitter & TFrameSocket;
    two.on("data", () => undefined);
    two.on("data", () => undefined);
    expect(interceptCopyData(two, () => undefined)).toBe(false);
  });
});

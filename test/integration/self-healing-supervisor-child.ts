/**
 * A stand-in child for the supervisor test: ROLE=web answers HTTP on PORT; ROLE=worker idles. Both end
 * cleanly on SIGTERM / SIGINT (as the worker does: its current step first), saying so on stdout.
 */
import { createServer } from "node:http";

const role = process.env.ROLE ?? "worker";
const server = role === "web" ? createServer((_req, res) => res.end("ok")).listen(Number(process.env.PORT), "127.0.0.1") : null;
const idle = setInterval(() => undefined, 1_000);
let ending = false;
const end = (signal: string) => {
  if (ending) return;
  ending = true;
  clearInterval(idle);
  server?.close();
  server?.closeAllConnections();
  console.log(`${role} ${process.pid} stopped cleanly on ${signal}`);
  process.exitCode = 0;
};
process.on("SIGTERM", () => end("SIGTERM"));
process.on("SIGINT", () => end("SIGINT"));
console.log(`${role} ${process.pid} up`);

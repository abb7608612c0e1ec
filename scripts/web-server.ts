/**
 * The dashboard's HTTP server (what `next start` runs, plus one thing, on HOST: 127.0.0.1 by default): every request carries the
 * client's address as this server saw it (lib/http/client-address.ts), for the audit log. `next start`
 * passes a client's own X-Forwarded-For through unchanged, so an audit entry could record any address.
 */
import { createServer } from "node:http";
import { resolve } from "node:path";
import next from "next";
import { CLIENT_ADDRESS_HEADER, clientAddressOf } from "@/lib/http/client-address";
import { parseEnv } from "@/lib/env";

async function main(): Promise<void> {
  const env = parseEnv();
  const app = next({ dev: false, dir: resolve(import.meta.dirname, ".."), port: env.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = createServer((req, res) => {
    req.headers[CLIENT_ADDRESS_HEADER] = clientAddressOf(req.socket.remoteAddress, req.headers["x-forwarded-for"], env.TRUSTED_PROXY_HOPS) ?? "";
    handle(req, res).catch((err: unknown) => {
      console.error("request failed", err instanceof Error ? err.message : err);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  server.on("error", (err) => {
    console.error(`The dashboard cannot listen on ${env.HOST} port ${env.PORT}: ${err.message}`);
    process.exit(1);
  });
  // Loopback unless HOST opens it: a fresh install must not be reachable from the network by default.
  server.listen(env.PORT, env.HOST);
  const stop = () => {
    server.close(() => process.exit(0));
    // A request still running (a long server action) gets a few seconds, not forever.
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

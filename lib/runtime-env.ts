import { deriveSessionSecret } from "@/lib/crypto/secrets";

/** The environment the web server and the worker run with, derived once by the start script. */
export function childEnvironment(opts: {
  base: NodeJS.ProcessEnv;
  databaseUrl: string;
  appSecret: string;
  port: number;
  nextAuthUrl?: string;
  defaultDestinationUrl?: string;
}): NodeJS.ProcessEnv {
  return {
    ...opts.base,
    DATABASE_URL: opts.databaseUrl,
    APP_SECRET: opts.appSecret,
    NEXTAUTH_SECRET: deriveSessionSecret(opts.appSecret),
    NEXTAUTH_URL: opts.nextAuthUrl ?? `http://localhost:${opts.port}`,
    ...(opts.defaultDestinationUrl ? { DEFAULT_DESTINATION_URL: opts.defaultDestinationUrl } : {}),
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(opts.port),
  };
}

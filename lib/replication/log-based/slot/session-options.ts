/**
 * Startup options for replication connections: the walsender formats text values with its session's
 * settings, so they are pinned to the same ones the loader reads them with (TEXT_SESSION_SQL) whatever
 * the server's defaults are — dates, intervals, floats and bytea then round-trip exactly.
 */
export const REPLICATION_SESSION_OPTIONS = [
  "-c DateStyle=ISO,MDY",
  "-c IntervalStyle=postgres",
  "-c TimeZone=UTC",
  "-c extra_float_digits=3",
  "-c bytea_output=hex",
  "-c lc_monetary=C",
].join(" ");

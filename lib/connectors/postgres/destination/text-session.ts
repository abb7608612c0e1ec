/**
 * Session settings applied on BOTH ends of a copy (source reader and destination loader): text output and
 * input of dates, intervals, floats, bytea, money and strings then round-trip exactly, whatever the
 * servers' defaults are.
 */
export const TEXT_SESSION_SQL = [
  "SET DateStyle = 'ISO, MDY'",
  "SET IntervalStyle = 'postgres'",
  "SET TimeZone = 'UTC'",
  "SET extra_float_digits = 3",
  "SET bytea_output = 'hex'",
  "SET standard_conforming_strings = on",
  "SET lc_monetary = 'C'",
  "SET client_encoding = 'UTF8'",
].join("; ");

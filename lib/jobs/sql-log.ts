/** Statements at least this long are written in full once per job, then shortened. */
const LONG_SQL_CHARS = 200;
const SHORT_PREFIX_CHARS = 100;

/**
 * The destination's statements as job log lines. A long statement that only differs from one already
 * logged in this job by its literals (a batch's MERGE: its times and positions) is written as its opening
 * words and a pointer to the full text above: a catch-up of hundreds of batches stays readable.
 */
export function jobSqlLog(write: (line: string) => void): (sql: string) => void {
  const seen = new Set<string>();
  return (sql) => {
    if (sql.length < LONG_SQL_CHARS) return write(sql);
    // Literals (quoted strings, numbers) aside, the statement's shape.
    const shape = sql.replace(/'(?:[^']|'')*'/g, "?").replace(/\b\d+\b/g, "?");
    if (!seen.has(shape)) {
      seen.add(shape);
      return write(sql);
    }
    write(`${sql.slice(0, SHORT_PREFIX_CHARS).trimEnd()} … (the statement above again, with this batch's values)`);
  };
}

/**
 * A failed job's reason in words a user can act on: the raw error is kept, and common causes get what
 * to check or change. Pattern order matters (most specific first). Names stop at ")" because a job whose
 * tables failed quotes each reason in parentheses.
 */
const RULES: { test: RegExp; advice: (m: RegExpMatchArray) => string }[] = [
  { test: /ECONNREFUSED\s*([\d.:a-f]+)?/i, advice: (m) => `The database refused the connection${m[1] ? ` at ${m[1]}` : ""}. Check that PostgreSQL is running and that Host (Endpoint) and Port in Settings are right.` },
  { test: /(?:getaddrinfo )?ENOTFOUND\s*(\S+)?|getaddrinfo/i, advice: (m) => `The host name${m[1] ? ` ${m[1]}` : ""} could not be resolved. Check Host (Endpoint) in Settings.` },
  { test: /ETIMEDOUT|timeout expired|timed out/i, advice: () => "The connection timed out. Check that the server accepts connections from this product (firewall, security group, SSH Tunnel)." },
  { test: /password authentication failed for user "?([^"\s]+)"?/i, advice: (m) => `The password for user ${m[1]} was rejected. Enter the right Password in Settings.` },
  { test: /no pg_hba\.conf entry/i, advice: () => "The server's pg_hba.conf does not allow this connection. Add a line for this user and address (see the prerequisite report in Settings)." },
  { test: /database "([^"]+)" does not exist/i, advice: (m) => `The database ${m[1]} does not exist on the server. Check Database in Settings.` },
  { test: /permission denied for (?:table|relation) ([^\s)]+)/i, advice: (m) => `The replication user may not read ${m[1]}. Run GRANT SELECT ON ${m[1]} TO <user>; (see the prerequisite report in Settings).` },
  { test: /permission denied for schema ([^\s)]+)/i, advice: (m) => `The replication user may not use schema ${m[1]}. Run GRANT USAGE ON SCHEMA ${m[1]} TO <user>;` },
  { test: /replication slot "([^"]+)" does not exist/i, advice: (m) => `The replication slot ${m[1]} is missing. Create it from the prerequisite report in Settings, then run the job again.` },
  { test: /may not be used as an output plugin/i, advice: () => "The server does not allow the slot's output plugin. Add it to output_plugin_libraries in postgresql.conf and reload (see Settings)." },
  { test: /No destination is configured/i, advice: () => "No destination is set up. Configure it on the Destination page, then run the job again." },
  { test: /stopped responding/i, advice: () => "The worker running this job stopped (restart or crash). Nothing is lost: the next job continues from the last saved bookmark." },
  { test: /certificate|self[- ]signed|SSL/i, advice: () => "The TLS connection failed. Check Connect using SSL and the certificate settings." },
];

export function explainFailure(error: string | null): string | null {
  if (!error) return null;
  for (const rule of RULES) {
    const m = error.match(rule.test);
    if (m) return rule.advice(m);
  }
  return null;
}

type TPausable = { pause(): void; resume(): void };

/**
 * The socket of the service's replication connection, which pg-logical-replication keeps private
 * (`_connection`, null once stopped): read through checks rather than a cast of the class.
 */
export function replicationSocket(service: object): TPausable | undefined {
  if (!("_connection" in service)) return undefined;
  const connection = service._connection;
  if (typeof connection !== "object" || connection === null || !("stream" in connection)) return undefined;
  const stream = connection.stream;
  return isPausable(stream) ? stream : undefined;
}

function isPausable(value: unknown): value is TPausable {
  return typeof value === "object" && value !== null && "pause" in value && typeof value.pause === "function" && "resume" in value && typeof value.resume === "function";
}

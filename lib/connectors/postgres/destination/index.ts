/** The PostgreSQL destination connector (see lib/connectors/README.md). */
export * from "./loader";

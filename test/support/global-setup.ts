import type { TestProject } from "vitest/node";
import { startTestClusters } from "./clusters";

/** Starts the shared test servers once per run; each test file makes its own databases in them. */
export default async function setup(project: TestProject) {
  const clusters = await startTestClusters();
  project.provide("embeddedUrl", clusters.embeddedUrl);
  project.provide("appTemplate", clusters.appTemplate);
  project.provide("pg15", clusters.pg15);
  return async () => {
    await clusters.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    embeddedUrl: string;
    appTemplate: string;
    pg15: { host: string; port: number; superuserUrl: string; caPem: string; dataDir: string };
  }
}

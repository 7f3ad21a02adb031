import type { TestProject } from 'vitest/node';
import { startTestPostgres } from '../testing/test-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the package run's throwaway PostgreSQL cluster. */
    pgUrl: string;
  }
}

/** vitest `globalSetup`: one cluster for the whole package run, removed afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pg = await startTestPostgres();
  project.provide('pgUrl', pg.url);
  return () => pg.stop();
}

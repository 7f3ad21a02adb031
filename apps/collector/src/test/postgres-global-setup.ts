import { startTestPostgres } from '@obs/sink-postgres/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the package run's throwaway PostgreSQL cluster. */
    pgUrl: string;
  }
}

/** vitest `globalSetup`: one throwaway PostgreSQL cluster for the package's run, removed afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pg = await startTestPostgres();
  project.provide('pgUrl', pg.url);
  return () => pg.stop();
}

import { postgresGlobalSetup } from '@obs/sink-postgres/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the run's throwaway PostgreSQL cluster. */
    pgUrl: string;
  }
}

/** vitest `globalSetup`: one throwaway PostgreSQL cluster for the package's run, removed afterwards. */
export default postgresGlobalSetup;

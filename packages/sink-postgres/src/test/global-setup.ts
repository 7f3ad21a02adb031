import { postgresGlobalSetup } from '../testing/postgres-global-setup.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the run's throwaway PostgreSQL cluster. */
    pgUrl: string;
  }
}

/** vitest `globalSetup`: one throwaway PostgreSQL cluster for the package's run, removed afterwards. */
export default postgresGlobalSetup;

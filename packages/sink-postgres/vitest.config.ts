import { defineConfig } from 'vitest/config';

// One throwaway PostgreSQL cluster for the package's run (src/test/global-setup.ts, `postgresGlobalSetup`); each test
// writes its own schema. Timeouts guard against a hang, they are not a pace.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 60_000, globalSetup: ['./src/test/global-setup.ts'] },
});

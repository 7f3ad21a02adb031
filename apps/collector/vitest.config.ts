import { defineConfig } from 'vitest/config';

// Timeouts are guards against a hang, not a pace: vitest's 5 s default fails tests that spawn
// processes, start servers or write files when the machine is loaded (CI, a busy laptop).
// One throwaway PostgreSQL cluster serves the run (src/test/postgres-global-setup.ts).
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 60_000, globalSetup: ['./src/test/postgres-global-setup.ts'] },
});

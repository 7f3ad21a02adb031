import { defineConfig } from 'vitest/config';

// Timeouts are guards against a hang, not a pace: vitest's 5 s default fails tests that spawn
// processes, start servers or write files when the machine is loaded (CI, a busy laptop).
export default defineConfig({ test: { testTimeout: 30_000, hookTimeout: 60_000 } });

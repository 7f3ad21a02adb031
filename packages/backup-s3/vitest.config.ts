import { defineConfig } from 'vitest/config';

// real SQLite files, worker threads and s3rver on a shared machine: generous hang guards, no timing asserted
export default defineConfig({ test: { testTimeout: 30_000 } });

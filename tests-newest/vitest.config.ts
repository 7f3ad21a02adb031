import { defineConfig } from 'vitest/config';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  throw new Error(
    `@obs/tests-newest needs Node 22.15 or later (ai 7, OpenTelemetry JS sdk-trace 3); this is Node ${process.versions.node}. scripts/other-nodes.mjs runs it on Node 22 and 24.`,
  );
}

export default defineConfig({ test: { testTimeout: 30_000 } });

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for a condition; its 1 s default would pace the page on a loaded machine
    expect: { poll: { timeout: 15_000 } },
    fileParallelism: false,
  },
});

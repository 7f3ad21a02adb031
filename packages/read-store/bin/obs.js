#!/usr/bin/env node
// A committed entry point, so package managers can link `obs` before `dist` is built.
await import('../dist/cli.js');

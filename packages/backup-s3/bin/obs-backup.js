#!/usr/bin/env node
// A committed entry point, so package managers can link `obs-backup` before `dist` is built.
// The AWS SDK's notice about Node versions is for SDK users, not for this command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
await import('../dist/cli.js');

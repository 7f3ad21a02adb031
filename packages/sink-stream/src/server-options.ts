import { Server as HttpServer } from 'node:http';
import { type DiagLogger, fromZodIssues, ObsConfigError } from '@obs/core';
import { isLoopbackHost } from '@obs/http-access';
import { z } from 'zod';
import { EventBus } from './event-bus.js';

const positiveInt = z.number().int().positive();

/** Zod schema of {@link StreamServerOptions}. */
export const StreamServerOptionsSchema = z
  .strictObject({
    bus: z.custom<EventBus>((v) => v instanceof EventBus, 'expected an EventBus'),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).optional(),
    server: z.custom<HttpServer>((v) => v instanceof HttpServer, 'expected a node:http Server').optional(),
    path: z.string().startsWith('/').default('/v1/stream'),
    token: z.string().min(16, 'a token has at least 16 characters').max(4096).optional(),
    bufferSize: z.number().int().min(0).max(1_000_000).default(2000),
    bufferBytes: positiveInt.default(16 * 1024 * 1024),
    maxMessageBytes: positiveInt.default(16 * 1024),
    maxPayload: positiveInt.default(1024 * 1024),
    maxSubscriptions: positiveInt.default(16),
    maxClients: positiveInt.default(1000),
    maxPendingBytes: positiveInt.default(4 * 1024 * 1024),
    slowClient: z.enum(['close', 'skip']).default('close'),
    closeStallMs: positiveInt.default(10_000),
    maxFrameBytes: positiveInt.default(256 * 1024),
    heartbeatMs: positiveInt.default(15_000),
    shutdownTimeoutMs: positiveInt.default(2_000),
    logger: z.custom<DiagLogger>((v) => typeof v === 'object' && v !== null).optional(),
  })
  .refine((o) => o.port === undefined || o.server === undefined, {
    message: 'give either port (own HTTP server) or server (attach to yours), not both',
    path: ['server'],
  })
  .refine((o) => o.maxPayload >= o.maxMessageBytes, {
    message: 'maxPayload must be at least maxMessageBytes',
    path: ['maxPayload'],
  });

/** Options of {@link createStreamServer}; see the README for each default. */
export type StreamServerOptions = z.input<typeof StreamServerOptionsSchema>;
/** Options with their defaults applied. */
export type ResolvedStreamServerOptions = z.output<typeof StreamServerOptionsSchema>;

/** Validates options; binding to a non-loopback address without a token is a config error. */
export function resolveServerOptions(options: StreamServerOptions): ResolvedStreamServerOptions {
  const parsed = StreamServerOptionsSchema.safeParse(options);
  if (!parsed.success) throw new ObsConfigError(fromZodIssues(parsed.error.issues).map(prefix));
  const o = parsed.data;
  if (o.server === undefined && !isLoopbackHost(o.host) && o.token === undefined) {
    throw new ObsConfigError([
      {
        path: 'stream.token',
        message: `binding to ${o.host} (not loopback) requires a token of at least 16 characters`,
      },
    ]);
  }
  const address = o.server?.address();
  if (address && typeof address === 'object' && !isLoopbackHost(address.address) && o.token === undefined) {
    throw new ObsConfigError([
      {
        path: 'stream.token',
        message: `the given server listens on ${address.address} (not loopback); a token is required`,
      },
    ]);
  }
  return o;
}

const prefix = (i: { path: string; message: string }) => ({ path: `stream.${i.path}`, message: i.message });

export {
  type PostgresSinkOptions,
  PostgresSinkOptionsSchema,
  parsePostgresSinkOptions,
  type ResolvedPostgresSinkOptions,
} from './options.js';
export { createPostgresSink, type PostgresSink } from './postgres-sink.js';

export { type ConsoleSink, createConsoleSink, DEFAULT_WIDTH } from './console-sink.js';
export { consoleSinkFromEnv, isTraceEnabled } from './from-env.js';
export {
  type ConsoleSinkOptions,
  ConsoleSinkOptionsSchema,
  type ConsoleSinkSettings,
  type ConsoleStream,
} from './options.js';

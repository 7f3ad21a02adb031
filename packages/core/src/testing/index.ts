export { createDiscardSink } from './discard-sink.js';
export { createMemorySink, type MemorySink, type MemorySinkOptions } from './memory-sink.js';

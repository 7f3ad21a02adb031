export { createDiscardSink } from './discard-sink.js';
export { makeEnvelope, makeRecord } from './make-envelope.js';
export { createMemorySink, type MemorySink, type MemorySinkOptions } from './memory-sink.js';

// Opened by the sink contract's bare-process test (`describeSinkContract` in @obs/core/testing):
// a console sink, from the built package, printing into a stream that keeps nothing.
import { Writable } from 'node:stream';
import { createConsoleSink } from '../dist/index.js';

export default () => ({
  sink: createConsoleSink({ stream: new Writable({ write: (_chunk, _encoding, done) => done() }) }),
});

// Opened by the sink contract's bare-process test (`describeSinkContract` in @obs/core/testing): an
// OTLP sink, from the built package, exporting to an endpoint on 127.0.0.1 that answers 200.
import { createServer } from 'node:http';
import { createOtlpSink } from '../dist/index.js';

export default async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    sink: createOtlpSink({ url: `http://127.0.0.1:${server.address().port}` }),
    cleanup: () => new Promise((resolve) => server.close(resolve)),
  };
};

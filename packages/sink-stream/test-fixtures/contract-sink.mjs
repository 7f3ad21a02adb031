// Opened by the sink contract's bare-process test (`describeSinkContract` in @obs/core/testing):
// a stream sink and a subscriber on its bus, from the built package.
import { createStreamSink, EventBus } from '../dist/index.js';

export default () => {
  const bus = new EventBus();
  bus.subscribe(() => {});
  return { sink: createStreamSink({ bus }) };
};

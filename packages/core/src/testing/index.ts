export { createDiscardSink } from './discard-sink.js';
export { makeEnvelope, makeRecord } from './make-envelope.js';
export { createMemorySink, type MemorySink, type MemorySinkOptions } from './memory-sink.js';
export {
  type BadOptionsExample,
  type BareProcessFixture,
  contractEnvelopes,
  describeSinkContract,
  type FaultySinkUnderTest,
  type MakeFaultySink,
  type MakeSink,
  SINK_CONTRACT_CLOSED_MARKER,
  type SinkCapabilities,
  type SinkContractAssertion,
  type SinkContractExpect,
  type SinkContractOptions,
  type SinkContractTestApi,
  type SinkRedelivery,
  type SinkUnderTest,
  type Unsupported,
} from './sink-contract.js';

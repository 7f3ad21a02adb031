export { SINK_CONTRACT_CLOSED_MARKER } from './bare-process.js';
export { contractEnvelopes } from './contract-envelopes.js';
export { createDiscardSink } from './discard-sink.js';
export { makeEnvelope, makeRecord } from './make-envelope.js';
export { createMemorySink, type MemorySink, type MemorySinkOptions } from './memory-sink.js';
export { describeSinkContract } from './sink-contract.js';
export type {
  BadOptionsExample,
  BareProcessFixture,
  FaultySinkUnderTest,
  MakeFaultySink,
  MakeSink,
  SinkCapabilities,
  SinkContractAssertion,
  SinkContractExpect,
  SinkContractOptions,
  SinkContractTestApi,
  SinkRedelivery,
  SinkUnderTest,
  Unsupported,
} from './sink-contract-types.js';

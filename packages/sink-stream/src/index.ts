export { SLOW_CLIENT_CLOSE_CODE } from './client-connection.js';
export { type ConnectStreamOptions, connectStream, type StreamClient } from './connect-stream.js';
export { ObsStreamError, STREAM_ERROR_CODES, type StreamErrorCode } from './errors.js';
export {
  type BusHandler,
  type BusSubscribeOptions,
  type BusSubscription,
  EventBus,
  type EventBusOptions,
} from './event-bus.js';
export {
  compileFilter,
  type FilterFields,
  type FilterMatcher,
  type StreamFilter,
  StreamFilterSchema,
} from './filter.js';
export {
  type ClientMessage,
  ClientMessageSchema,
  type EventItem,
  GAP_REASONS,
  type GapMessage,
  type GapReason,
  type HelloMessage,
  PROTOCOL_VERSION,
  type ServerMessage,
  ServerMessageSchema,
  type SubscribeMessage,
} from './protocol.js';
export { type StreamServerOptions, StreamServerOptionsSchema } from './server-options.js';
export { createStreamServer, type StreamServer, type StreamServerStats } from './stream-server.js';
export {
  createStreamSink,
  type StreamSink,
  type StreamSinkOptions,
  StreamSinkOptionsSchema,
  streamQueueDefaults,
} from './stream-sink.js';

import { STREAM_ERROR_CODES, type StreamErrorCode } from './errors.js';
import { type ClientMessage, ClientMessageSchema, PROTOCOL_VERSION } from './protocol.js';

/** A refused client message: the `error` to send back. */
export interface MessageFault {
  code: StreamErrorCode;
  message: string;
  id?: string;
}

const KNOWN_TYPES = new Set(['subscribe', 'unsubscribe', 'ping']);

/** Parses one client frame; never throws. */
export function parseClientMessage(
  data: Buffer,
  isBinary: boolean,
  maxBytes: number,
): ClientMessage | MessageFault {
  if (isBinary)
    return { code: STREAM_ERROR_CODES.INVALID_MESSAGE, message: 'expected a text frame with a JSON object' };
  if (data.length > maxBytes) {
    return {
      code: STREAM_ERROR_CODES.TOO_LARGE,
      message: `message of ${data.length} bytes exceeds the limit of ${maxBytes}`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch (error) {
    return { code: STREAM_ERROR_CODES.BAD_JSON, message: `not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      code: STREAM_ERROR_CODES.INVALID_MESSAGE,
      message: 'expected a JSON object with "type" and "v"',
    };
  }
  const record = value as Record<string, unknown>;
  const id = typeof record['id'] === 'string' ? { id: record['id'].slice(0, 64) } : {};
  if (record['v'] !== PROTOCOL_VERSION) {
    return {
      code: STREAM_ERROR_CODES.UNSUPPORTED_VERSION,
      message: `unsupported protocol version ${JSON.stringify(record['v'])}: this server speaks v ${PROTOCOL_VERSION}`,
      ...id,
    };
  }
  if (typeof record['type'] !== 'string' || !KNOWN_TYPES.has(record['type'])) {
    return {
      code: STREAM_ERROR_CODES.UNKNOWN_TYPE,
      message: `unknown message type ${JSON.stringify(record['type'])}: expected subscribe, unsubscribe or ping`,
      ...id,
    };
  }
  const parsed = ClientMessageSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return {
    code: STREAM_ERROR_CODES.INVALID_MESSAGE,
    message: `invalid ${record['type']} message: ${detail}`,
    ...id,
  };
}

/** Distinguishes a fault from a parsed message. */
export const isFault = (value: ClientMessage | MessageFault): value is MessageFault => 'code' in value;

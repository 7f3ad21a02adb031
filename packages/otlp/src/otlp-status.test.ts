import { describe, expect, it } from 'vitest';
import { decodeOtlpStatus, encodeOtlpStatus, RPC_CODES, rpcCodeOfHttpStatus } from './otlp-status.js';

describe('google.rpc.Status, the body of OTLP/HTTP error answers', () => {
  it('protobuf: field 1 the code, field 2 the message, and back', () => {
    const { contentType, body } = encodeOtlpStatus({ code: 3, message: 'bad' }, 'protobuf');
    expect(contentType).toBe('application/x-protobuf');
    expect([...body]).toEqual([0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64]);
    expect(decodeOtlpStatus(body, 'protobuf')).toEqual({ code: 3, message: 'bad' });
  });

  it('JSON: code and message, and back', () => {
    const { contentType, body } = encodeOtlpStatus({ code: 14, message: 'retry' }, 'json');
    expect(contentType).toBe('application/json');
    expect(JSON.parse(Buffer.from(body).toString())).toEqual({ code: 14, message: 'retry' });
    expect(decodeOtlpStatus(body, 'json')).toEqual({ code: 14, message: 'retry' });
  });

  it('a long message survives (two-byte length)', () => {
    const message = 'é'.repeat(300);
    const { body } = encodeOtlpStatus({ code: 8, message }, 'protobuf');
    expect(decodeOtlpStatus(body, 'protobuf')).toEqual({ code: 8, message });
  });

  it.each([
    ['protobuf', Buffer.from([0x08, 0x80])],
    ['protobuf', Buffer.alloc(0)],
    ['json', Buffer.from('{"code": "3", "message": "x"}')],
    ['json', Buffer.from('[1, 2]')],
    ['json', Buffer.from('null')],
    ['json', Buffer.from('not json')],
  ] as const)('%s %j is not a Status → undefined', (format, body) => {
    expect(decodeOtlpStatus(body, format)).toBeUndefined();
  });

  it.each([
    [400, RPC_CODES.INVALID_ARGUMENT],
    [401, RPC_CODES.UNAUTHENTICATED],
    [413, RPC_CODES.RESOURCE_EXHAUSTED],
    [415, RPC_CODES.INVALID_ARGUMENT],
    [429, RPC_CODES.RESOURCE_EXHAUSTED],
    [503, RPC_CODES.UNAVAILABLE],
    [418, RPC_CODES.UNKNOWN],
  ])('HTTP %i → gRPC code %i', (status, code) => {
    expect(rpcCodeOfHttpStatus(status)).toBe(code);
  });
});

import { createObservability } from '@obs/core';
import { createMemorySink } from '@obs/core/testing';
import { describe, expect, it } from 'vitest';
import { OTLP_ERROR_CODES } from './errors.js';
import { ingestOtlp } from './ingest-otlp.js';
import { OtlpTypes } from './internal/otlp-proto.js';
import { jsonSpan, jsonTraceBody, otlpAttributes, TRACE } from './test/otlp-json.js';

const service = (sink = createMemorySink(), queue = {}) =>
  createObservability({ source: 'collector', sinks: [{ sink, queue }] });

describe('ingestOtlp', () => {
  it('stores JSON spans and answers an empty ExportTraceServiceResponse in JSON', async () => {
    const sink = createMemorySink();
    const obs = service(sink);
    const result = await ingestOtlp(
      obs,
      'traces',
      jsonTraceBody([jsonSpan('b7ad6b7169203331', 'op', {})]),
      'application/json',
    );
    expect(sink.events.map((e) => e.event_type)).toEqual(['span']);
    expect(result.response).toEqual({ contentType: 'application/json', body: Buffer.from('{}') });
    await obs.shutdown();
  });

  it('answers protobuf with protobuf, partial success included', async () => {
    const obs = service();
    const request = OtlpTypes.traceRequest.fromObject({
      resourceSpans: [
        { scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16), spanId: Buffer.alloc(8), name: 'x' }] }] },
      ],
    });
    const result = await ingestOtlp(
      obs,
      'traces',
      OtlpTypes.traceRequest.encode(request).finish(),
      'application/x-protobuf; charset=binary',
    );
    expect(result.response.contentType).toBe('application/x-protobuf');
    const decoded = OtlpTypes.traceResponse.toObject(OtlpTypes.traceResponse.decode(result.response.body), {
      longs: Number,
    });
    expect(decoded).toEqual({
      partialSuccess: {
        rejectedSpans: 1,
        errorMessage: expect.stringMatching(/1 of 1 spans rejected: span 0: traceId/),
      },
    });
    await obs.shutdown();
  });

  it('throws OTLP_NOT_STORED when a sink could not store the batch (the collector answers 503, retryable)', async () => {
    const sink = createMemorySink({ failWrites: 100 });
    const obs = service(sink, { maxRetries: 0, retryBaseMs: 1 });
    await expect(
      ingestOtlp(obs, 'traces', jsonTraceBody([jsonSpan('b7ad6b7169203331', 'op', {})]), 'application/json'),
    ).rejects.toMatchObject({ code: OTLP_ERROR_CODES.NOT_STORED });
    await obs.shutdown();
  });

  it('maps log records: severity to level, ERROR with an exception to error, trace context to run and parent', async () => {
    const sink = createMemorySink();
    const obs = service(sink);
    const body = Buffer.from(
      JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: otlpAttributes({ 'service.name': 'api' }) },
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: '1767225600123456789',
                    severityNumber: 13,
                    body: { stringValue: 'slow' },
                    traceId: TRACE,
                    spanId: 'b7ad6b7169203331',
                  },
                  {
                    observedTimeUnixNano: '1767225600123456789',
                    severityText: 'debug',
                    body: { kvlistValue: { values: [] } },
                  },
                  {
                    timeUnixNano: '1767225600123456789',
                    severityNumber: 17,
                    body: { stringValue: 'failed' },
                    attributes: otlpAttributes({
                      'exception.message': 'boom',
                      'exception.type': 'TypeError',
                    }),
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    await ingestOtlp(obs, 'logs', body, 'application/json');
    await ingestOtlp(obs, 'logs', body, 'application/json');
    const [warn, debug, error] = sink.events;
    expect(warn).toMatchObject({
      event_type: 'log',
      source: 'api',
      run_id: TRACE,
      payload: { level: 'warn', message: 'slow' },
    });
    expect(warn!.parent_event_id).not.toBeNull();
    expect(debug).toMatchObject({ run_id: 'logs:api', payload: { level: 'debug', message: '{}' } });
    expect(error).toMatchObject({
      event_type: 'error',
      status: 'error',
      payload: { message: 'boom', type: 'TypeError', stage: 'log' },
    });
    expect(sink.events.slice(3).map((e) => e.event_id)).toEqual(
      sink.events.slice(0, 3).map((e) => e.event_id),
    );
    await obs.shutdown();
  });

  it.each([
    ['text/plain', OTLP_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE],
    [undefined, OTLP_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE],
  ])('refuses content type %s', async (type, code) => {
    const obs = service();
    await expect(ingestOtlp(obs, 'logs', Buffer.from('{}'), type)).rejects.toMatchObject({ code });
    await obs.shutdown();
  });

  it.each([
    ['truncated protobuf', Buffer.from([0x0a, 0x10, 0x01]), 'application/x-protobuf'],
    ['a number', Buffer.from('42'), 'application/json'],
    ['null', Buffer.from('null'), 'application/json'],
    ['wrong nesting', Buffer.from('{"resourceSpans":[{"scopeSpans":{"spans":1}}]}'), 'application/json'],
  ])('refuses %s as OTLP_MALFORMED', async (_name, body, type) => {
    const obs = service();
    await expect(ingestOtlp(obs, 'traces', body, type)).rejects.toMatchObject({
      code: OTLP_ERROR_CODES.MALFORMED,
    });
    await obs.shutdown();
  });
});

/** Attribute values as OTLP/JSON writes them. */
export function otlpAttributes(
  attrs: Record<string, unknown>,
): { key: string; value: Record<string, unknown> }[] {
  return Object.entries(attrs).map(([key, v]) => ({ key, value: anyValue(v) }));
}

function anyValue(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  return { stringValue: JSON.stringify(v) };
}

const TRACE = '0af7651916cd43dd8448eb211c80319c';

/** One span of trace `TRACE` as OTLP/JSON; ids as hex, times as decimal nanoseconds. */
export function jsonSpan(
  spanId: string,
  name: string,
  attrs: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return {
    traceId: TRACE,
    spanId,
    name,
    kind: 3,
    startTimeUnixNano: '1767225600123456789',
    endTimeUnixNano: '1767225600623456789',
    attributes: otlpAttributes(attrs),
    ...extra,
  };
}

/** An OTLP/JSON `ExportTraceServiceRequest` body of these spans from service `svc`. */
export function jsonTraceBody(spans: unknown[], service = 'svc'): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      resourceSpans: [
        { resource: { attributes: otlpAttributes({ 'service.name': service }) }, scopeSpans: [{ spans }] },
      ],
    }),
  );
}

export { TRACE };

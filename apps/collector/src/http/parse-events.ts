import { HttpError } from './http-error.js';

/** Content types `POST /v1/events` accepts. */
export const EVENT_CONTENT_TYPES = ['application/json', 'application/x-ndjson', 'application/jsonl'] as const;

/**
 * Parses a body of one envelope or an array of them (`application/json`), or one envelope per line
 * (`application/x-ndjson`). Returns the inputs and whether the body was a batch.
 */
export function parseEvents(contentType: string | undefined, body: string, maxEvents: number): unknown[] {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!(EVENT_CONTENT_TYPES as readonly string[]).includes(type)) {
    throw new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `content-type "${type || '(none)'}" is not accepted; expected ${EVENT_CONTENT_TYPES.join(' or ')}`,
    );
  }
  const inputs = type === 'application/json' ? parseJson(body) : parseNdjson(body);
  if (inputs.length === 0)
    throw new HttpError(
      400,
      'EMPTY_BATCH',
      'the body holds no event; expected one envelope or a non-empty batch',
    );
  if (inputs.length > maxEvents) {
    throw new HttpError(
      413,
      'BATCH_TOO_LARGE',
      `a batch holds at most ${maxEvents} events, got ${inputs.length}`,
    );
  }
  return inputs;
}

function parseJson(body: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new HttpError(400, 'INVALID_JSON', `the body is not valid JSON: ${(error as Error).message}`);
  }
  return Array.isArray(value) ? value : [value];
}

function parseNdjson(body: string): unknown[] {
  const out: unknown[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      out.push(JSON.parse(line));
    } catch (error) {
      throw new HttpError(
        400,
        'INVALID_JSON',
        `line ${i + 1} is not valid JSON: ${(error as Error).message}`,
      );
    }
  }
  return out;
}

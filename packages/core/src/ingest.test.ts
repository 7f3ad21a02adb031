import { describe, expect, it } from 'vitest';
import { ObsValidationError } from './errors.js';
import { createObservability } from './observability.js';
import { createMemorySink } from './testing/memory-sink.js';

describe('ingest validates the payload once, by its type', () => {
  const obs = createObservability({ source: 'collector', sinks: [createMemorySink()] });
  const input = (payload: unknown) => ({ event_type: 'tool.call', run_id: 'r', payload });

  it.each([
    ['missing', undefined],
    ['an array', ['tool']],
    ['null', null],
    ['a string', 'tool'],
  ])('refuses a payload that is %s, naming the payload', (_, payload) => {
    const error = (() => {
      try {
        obs.ingest(input(payload));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ObsValidationError);
    expect((error as ObsValidationError).issues.map((i) => i.path)).toContain('payload');
  });

  it("checks the payload against its type's schema and keeps what that schema outputs", () => {
    expect(() => obs.ingest(input({ tool: 't', extra: 1 }))).toThrow(ObsValidationError);
    expect(obs.ingest(input({ tool: 't', arguments: { q: 1 } })).payload).toEqual({
      tool: 't',
      arguments: { q: 1 },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { ObsValidationError } from './errors.js';
import { PayloadGuard, REDACTED } from './payload-guard.js';

describe('PayloadGuard', () => {
  it('redacts secret-looking keys at any depth but keeps token counts', () => {
    const guard = new PayloadGuard();
    const input = {
      headers: { Authorization: 'x', 'X-Api-Key': 'k' },
      password: 'p',
      prompt_tokens: 12,
      max_tokens: 5,
      auth_token: 't',
    };
    const { payload, redacted } = guard.guard(input);
    expect(payload).toEqual({
      headers: { Authorization: REDACTED, 'X-Api-Key': REDACTED },
      password: REDACTED,
      prompt_tokens: 12,
      max_tokens: 5,
      auth_token: REDACTED,
    });
    expect(redacted).toBe(4);
    expect(input.password).toBe('p');
  });

  it('redacts secrets inside string values and leaves the rest of the text', () => {
    const guard = new PayloadGuard();
    const { payload } = guard.guard({
      a: 'use sk-proj-abcdefghijklmnopqrstuv now',
      b: 'Authorization: Bearer abcdefghijklmnop.qrs',
      c: 'AKIAABCDEFGHIJKLMNOP',
      d: 'plain text about tokens',
    });
    expect(payload).toEqual({
      a: `use ${REDACTED} now`,
      b: `Authorization: ${REDACTED}`,
      c: REDACTED,
      d: 'plain text about tokens',
    });
  });

  it('redacts configured keys and paths', () => {
    const guard = new PayloadGuard({ redactKeys: ['ssn'], redactPaths: ['input.user.email'] });
    const { payload } = guard.guard({ SSN: '1', input: { user: { email: 'a@b.c', name: 'n' } } });
    expect(payload).toEqual({ SSN: REDACTED, input: { user: { email: REDACTED, name: 'n' } } });
  });

  it('truncates oversized payloads with an explicit mark and stays under the limit', () => {
    const guard = new PayloadGuard({ maxPayloadBytes: 10_000 });
    const { payload, truncated } = guard.guard({ output: 'x'.repeat(50_000), small: 'keep me' });
    expect(truncated).toBe(1);
    expect(payload['small']).toBe('keep me');
    expect(String(payload['output'])).toMatch(/…\[obs:truncated \d+ of 50000 chars\]$/);
    expect(JSON.stringify(payload).length).toBeLessThanOrEqual(10_000);
  });

  it('redacts and measures what toJSON returns, and rejects a toJSON that yields a bigint', () => {
    const guard = new PayloadGuard({ maxPayloadBytes: 1_000 });
    const { payload } = guard.guard({
      when: new Date(0),
      creds: { toJSON: () => ({ api_key: 'k', user: 'u' }) },
    });
    expect(payload).toEqual({ when: '1970-01-01T00:00:00.000Z', creds: { api_key: REDACTED, user: 'u' } });
    const big = guard.guard({ blob: { toJSON: () => 'x'.repeat(5_000) } });
    expect(big.truncated).toBe(1);
    expect(() => guard.guard({ n: { toJSON: () => 10n } })).toThrow(/payload\.n: a bigint/);
  });

  it('keeps a "__proto__" key of parsed JSON as a plain key when it redacts or truncates', () => {
    const guard = new PayloadGuard({ maxPayloadBytes: 2_000 });
    const input = JSON.parse(
      '{"__proto__": {"password": "p"}, "long": "' + 'x'.repeat(5_000) + '"}',
    ) as Record<string, unknown>;
    const { payload } = guard.guard(input);
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    expect(Object.keys(payload)).toEqual(['__proto__', 'long']);
    expect(JSON.stringify(payload)).toContain('"__proto__":{"password":"[REDACTED]"}');
  });

  it('rejects cyclic and bigint payloads with the failing path', () => {
    const guard = new PayloadGuard();
    const cyclic: Record<string, unknown> = { a: {} };
    (cyclic['a'] as Record<string, unknown>)['self'] = cyclic;
    expect(() => guard.guard(cyclic)).toThrow(ObsValidationError);
    expect(() => guard.guard({ n: { big: 10n } })).toThrow(/payload\.n\.big: a bigint/);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeTraceRequest } from './decode-request.js';
import { spanEventId } from './event-ids.js';
import { mapTraceRequest } from './map-spans.js';
import { jsonSpan, jsonTraceBody, TRACE } from './test/otlp-json.js';

const mapOne = (attrs: Record<string, unknown>, name = 'op', extra: Record<string, unknown> = {}) =>
  mapTraceRequest(
    decodeTraceRequest(jsonTraceBody([jsonSpan('b7ad6b7169203331', name, attrs, extra)]), 'json'),
  ).inputs;

describe('LLM spans → llm.call, whatever convention names the fields', () => {
  const expected = {
    provider: 'openai',
    model: 'gpt-4o',
    prompt_tokens: 10,
    completion_tokens: 5,
    total_tokens: 15,
    latency_ms: 500,
  };
  it.each([
    [
      'GenAI semantic conventions',
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 5,
      },
    ],
    [
      'older GenAI (gen_ai.system, prompt_tokens)',
      {
        'gen_ai.operation.name': 'text_completion',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.prompt_tokens': 10,
        'gen_ai.usage.completion_tokens': 5,
      },
    ],
    [
      'OpenLLMetry (llm.request.type, llm.usage.*)',
      {
        'llm.request.type': 'chat',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'llm.usage.prompt_tokens': 10,
        'llm.usage.completion_tokens': 5,
        'llm.usage.total_tokens': 15,
      },
    ],
    [
      'OpenInference (llm.model_name, llm.token_count.*)',
      {
        'openinference.span.kind': 'LLM',
        'llm.provider': 'openai',
        'llm.model_name': 'gpt-4o',
        'llm.token_count.prompt': 10,
        'llm.token_count.completion': 5,
        'llm.token_count.total': 15,
      },
    ],
    [
      'AI SDK 5/6 (ai.model.id, ai.usage.inputTokens)',
      {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'openai',
        'ai.model.id': 'gpt-4o',
        'ai.usage.inputTokens': 10,
        'ai.usage.outputTokens': 5,
      },
    ],
    [
      'AI SDK 4 (ai.usage.promptTokens)',
      {
        'ai.operationId': 'ai.streamText.doStream',
        'ai.model.provider': 'openai',
        'ai.model.id': 'gpt-4o',
        'ai.usage.promptTokens': 10,
        'ai.usage.completionTokens': 5,
      },
    ],
  ])('%s', (_name, attrs) => {
    const [event] = mapOne(attrs);
    expect(event).toMatchObject({
      event_type: 'llm.call',
      status: 'ok',
      duration_ms: 500,
      payload: expected,
    });
  });

  it('the newest name wins when several are sent', () => {
    const [event] = mapOne({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.system': 'old',
      'gen_ai.request.model': 'claude',
      'gen_ai.usage.input_tokens': 7,
      'llm.usage.prompt_tokens': 99,
    });
    expect(event!.payload).toMatchObject({ provider: 'anthropic', prompt_tokens: 7 });
  });

  it('OpenLLMetry flattened prompts and completions become message lists; cost, cache and reasoning tokens', () => {
    const [event] = mapOne({
      'llm.request.type': 'chat',
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'claude',
      'gen_ai.prompt.0.role': 'system',
      'gen_ai.prompt.0.content': 'be brief',
      'gen_ai.prompt.1.role': 'user',
      'gen_ai.prompt.1.content': 'hi',
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': 'hello',
      'gen_ai.completion.0.finish_reason': 'stop',
      'gen_ai.usage.cache_read_input_tokens': 3,
      'gen_ai.usage.cache_creation_input_tokens': 2,
      'llm.usage.reasoning_tokens': 1,
      'llm.cost.total': 0.25,
    });
    expect(event!.payload).toMatchObject({
      input: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
      output: [{ role: 'assistant', content: 'hello', finish_reason: 'stop' }],
      finish_reason: 'stop',
      cache_read_tokens: 3,
      cache_write_tokens: 2,
      reasoning_tokens: 1,
      cost_usd: 0.25,
    });
    const otel = event!.payload['otel'] as { attributes: Record<string, unknown> };
    expect(Object.keys(otel.attributes).some((k) => k.startsWith('gen_ai.prompt'))).toBe(false);
  });

  it('otel.attributes leaves out what a payload field holds unchanged, and keeps what it does not', () => {
    const [event] = mapOne({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.response.model': 'gpt-4o-2024',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': '5',
      'gen_ai.usage.cost': -1,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.conversation.id': 'conv-1',
      'server.address': 'api.openai.com',
    });
    expect(event).toMatchObject({ session_id: 'conv-1' });
    expect(event!.payload).toMatchObject({ model: 'gpt-4o-2024', prompt_tokens: 10, completion_tokens: 5 });
    expect(event!.payload['cost_usd']).toBeUndefined();
    const otel = event!.payload['otel'] as { attributes: Record<string, unknown> };
    expect(otel.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.output_tokens': '5',
      'gen_ai.usage.cost': -1,
      'gen_ai.response.finish_reasons': ['stop'],
      'server.address': 'api.openai.com',
    });
  });
});

describe('other spans', () => {
  it('execute_tool → tool.call then tool.result under it; children of the span hang under the call', () => {
    const events = mapOne(
      {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'search',
        'gen_ai.tool.call.result': '{"hits":3}',
      },
      'execute_tool search',
    );
    expect(events.map((e) => e.event_type)).toEqual(['tool.call', 'tool.result']);
    expect(events[0]!.event_id).toBe(spanEventId(TRACE, 'b7ad6b7169203331'));
    expect(events[1]).toMatchObject({
      parent_event_id: events[0]!.event_id,
      timestamp: '2026-01-01T00:00:00.623Z',
      payload: { tool: 'search', success: true, output: { hits: 3 } },
    });
  });

  it('invoke_agent and unknown spans → span; parent span → parent_event_id; run from the trace; session', () => {
    const [event] = mapOne(
      { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'session.id': 's-1' },
      'invoke_agent',
      { parentSpanId: '00f067aa0ba902b7', status: { code: 2, message: 'gave up' } },
    );
    expect(event).toMatchObject({
      event_type: 'span',
      source: 'svc',
      run_id: TRACE,
      session_id: 's-1',
      status: 'error',
      parent_event_id: spanEventId(TRACE, '00f067aa0ba902b7'),
      timestamp: '2026-01-01T00:00:00.123Z',
      payload: {
        operation: 'invoke_agent',
        component: 'planner',
        layer: 'invoke_agent',
        error: { message: 'gave up' },
      },
    });
    expect(event!.payload['otel']).toMatchObject({
      start_time_unix_nano: '1767225600123456789',
      end_time_unix_nano: '1767225600623456789',
    });
  });

  it('obs.run_id names the run instead of the trace', () => {
    expect(mapOne({ 'obs.run_id': 'run-7' })[0]!.run_id).toBe('run-7');
  });

  it('span events become log events under the span; exceptions become error events', () => {
    const events = mapOne({}, 'op', {
      events: [
        {
          timeUnixNano: '1767225600200000000',
          name: 'retrying',
          attributes: [{ key: 'n', value: { intValue: '2' } }],
        },
        {
          timeUnixNano: '1767225600300000000',
          name: 'exception',
          attributes: [{ key: 'exception.message', value: { stringValue: 'boom' } }],
        },
      ],
    });
    expect(events.map((e) => [e.event_type, e.parent_event_id])).toEqual([
      ['span', null],
      ['log', events[0]!.event_id],
      ['error', events[0]!.event_id],
    ]);
    expect(events[1]!.payload).toMatchObject({ message: 'retrying', fields: { n: 2 } });
    expect(events[2]!.payload).toMatchObject({ message: 'boom', stage: 'op' });
    expect(new Set(events.map((e) => e.event_id)).size).toBe(3);
  });
});

describe('event ids', () => {
  it('are UUIDv7-shaped, distinct per span and role, and the same for the same span', () => {
    const ids = ['0000000000000001', 'ffffffffffffffff', '8000000000000000'].flatMap((s) =>
      [0, 1, 2, 1023].map((r) => spanEventId(TRACE, s, r)),
    );
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(spanEventId(TRACE, 'ffffffffffffffff', 1)).toBe(ids[5]);
  });
});

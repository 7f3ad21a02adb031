import { makeEnvelope } from '@obs/core/testing';
import { describe, expect, it } from 'vitest';
import { colors } from './colors.js';
import { describeEvent, type LineParts } from './describe-event.js';
import { formatDuration, MAX_INDENT_DEPTH, renderLine, treePrefix } from './render-line.js';
import { textWidth } from './text.js';

const plain = colors(false);
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

const span = (payload: Record<string, unknown>, extra = {}) =>
  describeEvent(
    makeEnvelope(1, { event_type: 'span', status: 'ok', duration_ms: 5, payload, ...extra }),
    120,
  );

describe('renderLine', () => {
  it('draws the seed format: [layer] operation: input → output (duration), indented with └─', () => {
    const parts = span({
      operation: 'transition',
      layer: 'alt',
      input_summary: 'L3→L2',
      output_summary: 'success',
    });
    expect(renderLine(parts, { depth: 0, width: 120, colors: plain })).toBe(
      '[alt] transition: L3→L2 → success (5ms)',
    );
    expect(renderLine(parts, { depth: 1, width: 120, colors: plain })).toBe(
      '  └─[alt] transition: L3→L2 → success (5ms)',
    );
    expect(renderLine(parts, { depth: 2, width: 120, colors: plain })).toBe(
      '      └─[alt] transition: L3→L2 → success (5ms)',
    );
  });

  it('stops indenting past MAX_INDENT_DEPTH', () => {
    expect(treePrefix(MAX_INDENT_DEPTH + 50)).toBe(treePrefix(MAX_INDENT_DEPTH));
  });

  it('cuts long free text fairly so the tag, outcome and duration stay visible, within the width', () => {
    const parts = span({
      operation: 'summarize',
      layer: 'agent',
      input_summary: 'i'.repeat(500),
      output_summary: 'o'.repeat(500),
    });
    for (const width of [20, 40, 60, 80, 120, 200]) {
      const line = renderLine(parts, { depth: 1, width, colors: plain });
      expect(textWidth(line)).toBeLessThanOrEqual(width);
      if (width >= 60) {
        expect(line).toMatch(/^ {2}└─\[agent\] summarize: i+… → o+… \(5ms\)$/);
        const [, input, output] = /: (i+)… → (o+)…/.exec(line)!;
        expect(Math.abs(input!.length - output!.length)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('keeps colour codes out of the width and closes every one it opens', () => {
    const parts = span({ operation: 'x'.repeat(300), layer: 'agent' });
    const line = renderLine(parts, { depth: 3, width: 50, colors: colors(true) });
    expect(line).toMatch(ANSI);
    expect(textWidth(line.replace(ANSI, ''))).toBeLessThanOrEqual(50);
    expect(line.endsWith('\x1b[22m')).toBe(true);
  });

  it('puts the lead (run id) first and cleans payload text', () => {
    const parts: LineParts = {
      tag: 'log',
      kind: 'log',
      operation: 'info',
      input: 'a\nb\x1b[2J',
      tone: 'plain',
    };
    expect(renderLine(parts, { depth: 0, width: 80, colors: plain, lead: 'run-7' })).toBe(
      'run-7 [log] info: a b\ufffd[2J',
    );
  });
});

describe('formatDuration', () => {
  it('reads well from microseconds to minutes', () => {
    expect(formatDuration(0.042)).toBe('0.04ms');
    expect(formatDuration(2.34)).toBe('2.3ms');
    expect(formatDuration(5)).toBe('5ms');
    expect(formatDuration(312.6)).toBe('313ms');
    expect(formatDuration(1250)).toBe('1.25s');
    expect(formatDuration(125_000)).toBe('2m05s');
  });
});

describe('describeEvent', () => {
  const line = (type: string, payload: Record<string, unknown>, extra = {}) =>
    renderLine(describeEvent(makeEnvelope(1, { event_type: type, payload, ...extra }), 120), {
      depth: 0,
      width: 120,
      colors: plain,
    });

  it('says what each built-in type is about', () => {
    expect(line('tool.call', { tool: 'search', arguments: { q: 'x' } })).toBe('[tool] search: {"q":"x"}');
    expect(
      line('tool.result', { tool: 'search', success: true, output: 'three hits' }, { duration_ms: 12 }),
    ).toBe('[tool] search → three hits (12ms)');
    expect(
      line(
        'tool.result',
        { tool: 'search', success: false, error: { message: 'timeout' } },
        { status: 'error' },
      ),
    ).toBe('[tool] search → error: timeout');
    expect(
      line('llm.call', {
        provider: 'openai',
        model: 'gpt-4o',
        prompt_tokens: 812,
        completion_tokens: 96,
        cost_usd: 0.003,
        finish_reason: 'stop',
        latency_ms: 420,
      }),
    ).toBe('[llm] gpt-4o: 812 tok → 96 tok (420ms) [$0.0030]');
    expect(line('log', { level: 'warn', message: 'disk almost full' })).toBe('[log] warn: disk almost full');
    expect(line('error', { stage: 'plan', message: 'boom', recoverable: true }, { status: 'error' })).toBe(
      '[error] plan: boom [recoverable]',
    );
    expect(
      line('orchestration', { change: 'route', from: 'planner', to: 'coder', reason: 'needs tools' }),
    ).toBe('[orch] route: planner → coder [needs tools]');
    expect(line('run.finished', { outcome: 'success', total_tokens: 908, total_cost_usd: 1.5 })).toBe(
      '[run] finished → success [908 tokens, $1.50]',
    );
    expect(
      line(
        'span',
        { operation: 'fetch', error: { message: 'refused' } },
        { status: 'error', duration_ms: 3 },
      ),
    ).toBe('[span] fetch → error: refused (3ms)');
    expect(line('span', { operation: 'plan' }, { status: 'ok', duration_ms: 1500 })).toBe(
      '[span] plan → ok (1.5s)',
    );
  });

  it('shows an application type by its first segment with its payload', () => {
    expect(line('shop.checkout', { cart_id: 'c-1', total: 42 })).toBe(
      '[shop] checkout: {"cart_id":"c-1","total":42}',
    );
  });
});

import type { Envelope } from '@obs/core';
import type { TraceNode, TraceTree } from './read-store.js';

/** Options of {@link renderTraceTree}. */
export interface RenderTraceTreeOptions {
  /** Longest label text before it is cut with `…` (default 80). */
  maxLabel?: number;
  /** Show each node's offset from the run's start, like `+12ms` (default false). */
  offsets?: boolean;
  /** Deepest level drawn with guides (default 40); deeper nodes say their depth instead, so output stays linear. */
  maxIndent?: number;
}

/**
 * Draws a trace tree as indented text, one event per line:
 * `[span] plan → ok (5ms)`, children under their parent with `├─`/`└─` guides; orphans and cycle
 * members are marked. Iterative, so a deep chain cannot overflow the stack.
 */
export function renderTraceTree(tree: TraceTree, options: RenderTraceTreeOptions = {}): string {
  const max = options.maxLabel ?? 80;
  const header = `run ${tree.run_id} · ${tree.event_count} events · ${ms(tree.duration_ms)}${
    tree.orphan_count ? ` · ${tree.orphan_count} orphans` : ''
  }${tree.cycle_count ? ` · ${tree.cycle_count} in cycles` : ''}${tree.truncated ? ' · truncated' : ''}`;
  const lines = [header];
  const maxIndent = options.maxIndent ?? 40;
  const stack: { node: TraceNode; prefix: string; last: boolean; depth: number }[] = [];
  for (let i = tree.roots.length - 1; i >= 0; i--) {
    stack.push({ node: tree.roots[i]!, prefix: '', last: i === tree.roots.length - 1, depth: 0 });
  }
  while (stack.length > 0) {
    const { node, prefix, last, depth } = stack.pop()!;
    const deep = depth > maxIndent;
    const guide = depth === 0 ? '' : deep ? `└─ (depth ${depth}) ` : last ? '└─ ' : '├─ ';
    const offset = options.offsets ? `+${ms(node.offset_ms)} ` : '';
    lines.push(`${prefix}${guide}${offset}${line(node, max)}`);
    const childPrefix = depth === 0 || deep ? prefix : `${prefix}${last ? '   ' : '│  '}`;
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i]!;
      stack.push({
        node: child,
        prefix: childPrefix,
        last: i === node.children.length - 1,
        depth: depth + 1,
      });
    }
  }
  return `${lines.join('\n')}\n`;
}

function line(node: TraceNode, max: number): string {
  const e = node.event;
  const text = cut(label(e, node.name).replace(/\s+/g, ' '), max);
  const status = e.status === null ? '' : ` → ${e.status}`;
  const duration = e.duration_ms === null ? '' : ` (${ms(e.duration_ms)})`;
  const marks = `${node.orphan ? ' [orphan]' : ''}${node.cycle ? ' [cycle]' : ''}`;
  return `[${e.event_type}]${text ? ` ${text}` : ''}${status}${duration}${marks}`;
}

function label(e: Envelope, name: string): string {
  const p = e.payload;
  const s = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : undefined);
  switch (e.event_type) {
    case 'span':
      return name;
    case 'llm.call':
      return [s('provider'), s('model')].filter(Boolean).join('/');
    case 'tool.call':
    case 'tool.result':
      return s('tool') ?? '';
    case 'log':
    case 'error':
      return s('message') ?? '';
    case 'agent.thought':
      return s('content') ?? '';
    case 'decision.trace':
      return s('decision') ?? '';
    case 'observed.op':
      return s('endpoint') ?? '';
    default:
      return name === e.event_type ? '' : name;
  }
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `5ms`, `1.25s`, `3m 05s`. */
export function ms(value: number): string {
  if (value < 1000) return `${Math.round(value * 100) / 100}ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(2)}s`;
  const m = Math.floor(value / 60_000);
  return `${m}m ${String(Math.round((value % 60_000) / 1000)).padStart(2, '0')}s`;
}

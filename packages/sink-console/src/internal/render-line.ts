import type { Colors } from './colors.js';
import type { LineParts } from './describe-event.js';
import { sanitize, textWidth, truncate } from './text.js';

/** Indentation stops growing past this depth, so a deep tree keeps room for what its lines say. */
export const MAX_INDENT_DEPTH = 12;

type Style = (text: string) => string;
type Segment = { text: string; style: Style | undefined; fits: boolean };

/** `0.42ms`, `5ms`, `312ms`, `1.25s`, `2m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${Number(ms.toFixed(2))}ms`;
  if (ms < 10) return `${Number(ms.toFixed(1))}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(2))}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** The tree drawing before a line at `depth`: nothing at 0, `  └─` at 1, `      └─` at 2… */
export function treePrefix(depth: number): string {
  if (depth <= 0) return '';
  return `${' '.repeat(4 * Math.min(depth, MAX_INDENT_DEPTH) - 2)}└─`;
}

/** Where a line goes and how it looks. */
export interface LineLayout {
  depth: number;
  /** Terminal columns the line may use. */
  width: number;
  colors: Colors;
  /** Shown first, dimmed (the run id when `showRun` is on). */
  lead?: string | undefined;
}

/**
 * One trace line, at most `width` columns, without a newline. When the line is too long, the free
 * text (operation, input, output, extra) is cut fairly: short parts stay whole and the long ones
 * share what is left, so the tag, the status and the duration stay visible.
 */
export function renderLine(parts: LineParts, layout: LineLayout): string {
  const c = layout.colors;
  const segments: Segment[] = [];
  const fixed = (text: string, style?: Style) => segments.push({ text, style, fits: true });
  const free = (text: string, style?: Style) => segments.push({ text: sanitize(text), style, fits: false });

  if (layout.lead !== undefined) {
    fixed(truncate(sanitize(layout.lead), 24), c.dim);
    fixed(' ');
  }
  const prefix = treePrefix(layout.depth);
  if (prefix !== '') fixed(prefix, c.dim);
  fixed(`[${truncate(sanitize(parts.tag), 16)}]`, tagStyle(parts.kind, c));
  fixed(' ');
  free(parts.operation, c.bold);
  if (parts.input !== undefined) {
    fixed(': ');
    free(parts.input);
  }
  if (parts.output !== undefined) {
    fixed(' → ', c.dim);
    free(parts.output, toneStyle(parts.tone, c));
  }
  if (parts.durationMs != null) {
    fixed(' ');
    fixed(`(${formatDuration(parts.durationMs)})`, parts.durationMs >= 1000 ? c.yellow : c.dim);
  }
  if (parts.extra !== undefined) {
    fixed(' [', c.dim);
    free(parts.extra, c.dim);
    fixed(']', c.dim);
  }
  fit(segments, layout.width);
  // neighbours of one style share one pair of escape codes
  let line = '';
  let run = '';
  let style: Style | undefined;
  for (const s of segments) {
    if (s.text === '') continue;
    if (s.style !== style) {
      line += style && run !== '' ? style(run) : run;
      run = '';
      style = s.style;
    }
    run += s.text;
  }
  return line + (style && run !== '' ? style(run) : run);
}

/** Cuts the free segments to a fair share of the room the fixed ones leave, then the line itself to `width`. */
function fit(segments: Segment[], width: number): void {
  let units = 0;
  for (const s of segments) units += s.text.length;
  if (2 * units <= width) return; // no code unit is drawn wider than two columns
  const widths = segments.map((s) => textWidth(s.text));
  let total = 0;
  for (const w of widths) total += w;
  if (total <= width) return;
  let room = width;
  const free: number[] = [];
  segments.forEach((s, i) => {
    if (s.fits) room -= widths[i]!;
    else free.push(i);
  });
  if (room >= 4 * free.length) {
    // water-filling: the largest cap such that every free part gets min(its width, cap)
    const sorted = free.map((i) => widths[i]!).sort((a, b) => a - b);
    let left = room;
    let cap = 0;
    for (let k = 0; k < sorted.length; k++) {
      const share = Math.floor(left / (sorted.length - k));
      if (sorted[k]! <= share) left -= sorted[k]!;
      else {
        cap = share;
        break;
      }
    }
    let spare = left - cap * free.filter((i) => widths[i]! > cap).length;
    for (const i of free) {
      if (widths[i]! <= cap || cap === 0) continue;
      const extra = spare > 0 ? 1 : 0;
      spare -= extra;
      segments[i]!.text = truncate(segments[i]!.text, cap + extra);
      widths[i] = textWidth(segments[i]!.text);
    }
  }
  // whatever still does not fit (deep indentation, a very narrow terminal) is cut at the end
  let used = 0;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const w = widths[i]!;
    if (used + w <= width) {
      used += w;
      continue;
    }
    s.text = truncate(s.text, width - used);
    used = width;
    for (let j = i + 1; j < segments.length; j++) segments[j]!.text = '';
    break;
  }
}

function tagStyle(kind: LineParts['kind'], c: Colors): Style {
  switch (kind) {
    case 'span':
      return c.cyan;
    case 'tool':
      return c.yellow;
    case 'llm':
      return c.magenta;
    case 'run':
      return c.blue;
    case 'error':
      return c.red;
    case 'log':
      return c.gray;
    default:
      return c.cyan;
  }
}

function toneStyle(tone: LineParts['tone'], c: Colors): Style | undefined {
  if (tone === 'ok') return c.green;
  if (tone === 'error') return c.red;
  if (tone === 'warn') return c.yellow;
  return undefined;
}

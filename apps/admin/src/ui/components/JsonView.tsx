import { useMemo } from 'preact/hooks';

const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false)|(null)/g;
const MAX_HIGHLIGHT_CHARS = 200_000;

/**
 * Pretty JSON with keys, strings, numbers and literals coloured. Every piece is a text node, so a
 * payload holding markup is shown as text, never parsed as HTML.
 */
export function JsonView({ value }: { value: unknown }) {
  const text = useMemo(() => JSON.stringify(value, null, 2) ?? 'undefined', [value]);
  const parts = useMemo(() => (text.length > MAX_HIGHLIGHT_CHARS ? [text] : highlight(text)), [text]);
  return <pre class="json">{parts}</pre>;
}

function highlight(text: string) {
  const out: (string | preact.JSX.Element)[] = [];
  let last = 0;
  let n = 0;
  for (const m of text.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const cls = m[1] ? (m[2] ? 'j-key' : 'j-str') : m[3] ? 'j-num' : m[4] ? 'j-bool' : 'j-null';
    out.push(
      <span key={n++} class={cls}>
        {m[1] ?? m[0]}
      </span>,
    );
    if (m[2]) out.push(m[2]);
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

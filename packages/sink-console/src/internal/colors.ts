import picocolors from 'picocolors';

/** picocolors' formatters; with colour off each one returns its input unchanged. */
export type Colors = ReturnType<typeof picocolors.createColors>;

/** What the colour decision looks at on a stream. */
export interface TerminalLike {
  isTTY?: boolean | undefined;
}

/**
 * Whether to colour what goes to `stream`: never with `NO_COLOR` set (non-empty, per no-color.org),
 * always with `FORCE_COLOR` set to anything but `0`/`false` (Node's reading), otherwise only on a
 * TTY whose `TERM` is not `dumb`. picocolors' own detection looks at stdout, not at the stream we
 * write to, so the decision is made here and handed to `createColors`.
 */
export function colorEnabled(
  stream: TerminalLike,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env['NO_COLOR']) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

/** The formatters for a colour decision. */
export function colors(enabled: boolean): Colors {
  return picocolors.createColors(enabled);
}

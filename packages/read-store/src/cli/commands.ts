import type { EventStatus } from '@obs/core';
import type { EventQuery, ExportFormat, ReadStore, StatsGroupBy } from '../read-store.js';
import { renderTraceTree } from '../render-trace-tree.js';
import { type CliArgs, intOption, timeOption, UsageError } from './args.js';
import { eventLine, runsTable, sessionsTable, statsText } from './format.js';

/** Where a command writes. */
export interface Output {
  write(text: string): void | Promise<void>;
}

type Command = (store: ReadStore, args: CliArgs, out: Output) => Promise<void>;

function eventFilter(args: CliArgs): Omit<EventQuery, 'cursor' | 'limit' | 'order'> {
  const v = args.values;
  const filter: Omit<EventQuery, 'cursor' | 'limit' | 'order'> = {};
  if (v.type) filter.types = v.type;
  if (v.status) filter.status = v.status as EventStatus;
  if (v.source) filter.source = v.source;
  if (v.run) filter.run_id = v.run;
  if (v.session) filter.session_id = v.session;
  const from = timeOption(v.from);
  const to = timeOption(v.to);
  if (from) filter.from = from;
  if (to) filter.to = to;
  if (v.text) filter.text = v.text;
  return filter;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

async function printEvents(store: ReadStore, args: CliArgs, out: Output, fallback: number, newest: boolean) {
  const limit = intOption(args.positionals[0] ?? args.values.limit, 'limit', fallback);
  const order = (args.values.order ?? (newest ? 'desc' : 'asc')) as 'asc' | 'desc';
  const items = [];
  let cursor: string | undefined;
  while (items.length < limit) {
    const page = await store.listEvents({
      ...eventFilter(args),
      order,
      limit: Math.min(1000, limit - items.length),
      ...(cursor ? { cursor } : {}),
    });
    items.push(...page.items);
    if (page.next_cursor === null) break;
    cursor = page.next_cursor;
  }
  if (newest && args.values.order === undefined) items.reverse();
  if (args.values.json) await out.write(items.map((e) => `${e.json}\n`).join(''));
  else await out.write(items.map((e) => `${eventLine(e.envelope)}\n`).join(''));
}

const commands: Record<string, Command> = {
  last: (store, args, out) => printEvents(store, args, out, 20, true),
  events: (store, args, out) => printEvents(store, args, out, 100, false),
  async event(store, args, out) {
    const id = args.positionals[0];
    if (!id) throw new UsageError('obs event expects an event id: obs event <event_id>');
    const event = await store.getEvent(id);
    const children = await store.getChildren(id);
    await out.write(
      args.values.json
        ? json({ event: event.envelope, children: children.map((c) => c.envelope) })
        : `${JSON.stringify(event.envelope, null, 2)}\n${children.length} children\n${children
            .map((c) => `  ${eventLine(c.envelope)}\n`)
            .join('')}`,
    );
  },
  async tree(store, args, out) {
    const runId = args.positionals[0] ?? args.values.run;
    if (!runId) throw new UsageError('obs tree expects a run id: obs tree <run_id>');
    const tree = await store.getTraceTree(runId);
    await out.write(
      args.values.json ? json(tree) : renderTraceTree(tree, { offsets: args.values.offsets ?? false }),
    );
  },
  async stats(store, args, out) {
    const v = args.values;
    const from = timeOption(v.from);
    const to = timeOption(v.to);
    const stats = await store.stats({
      ...(v.run ? { run_id: v.run } : {}),
      ...(v.session ? { session_id: v.session } : {}),
      ...(v.source ? { source: v.source } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(v['group-by'] ? { groupBy: v['group-by'] as StatsGroupBy } : {}),
      slowest: intOption(v.limit, 'limit', 10),
    });
    await out.write(v.json ? json(stats) : statsText(stats));
  },
  async runs(store, args, out) {
    const v = args.values;
    const from = timeOption(v.from);
    const to = timeOption(v.to);
    const page = await store.listRuns({
      ...(v.status ? { status: v.status as never } : {}),
      ...(v.source ? { source: v.source } : {}),
      ...(v.session ? { session_id: v.session } : {}),
      ...(v.search ? { search: v.search } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      limit: intOption(args.positionals[0] ?? v.limit, 'limit', 50),
    });
    await out.write(v.json ? json(page.items) : runsTable(page.items));
  },
  async sessions(store, args, out) {
    const v = args.values;
    const page = await store.listSessions({
      ...(v.search ? { search: v.search } : {}),
      limit: intOption(args.positionals[0] ?? v.limit, 'limit', 50),
    });
    await out.write(v.json ? json(page.items) : sessionsTable(page.items));
  },
  async tail(store, args, out) {
    if (!args.values.follow) return printEvents(store, args, out, 10, true);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const e of store.tail({ filter: eventFilter(args), signal: controller.signal })) {
        await out.write(args.values.json ? `${e.json}\n` : `${eventLine(e.envelope)}\n`);
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
  async export(store, args, out) {
    const format = (args.values.format ?? 'jsonl') as ExportFormat;
    for await (const chunk of store.exportEvents(eventFilter(args), format)) await out.write(chunk);
  },
};

/** Runs `args.command`; throws `UsageError` for an unknown one. */
export async function runCommand(store: ReadStore, args: CliArgs, out: Output): Promise<void> {
  const command = args.command === undefined ? undefined : commands[args.command];
  if (command === undefined) throw new UsageError(`unknown command "${args.command}"; see obs --help`);
  await command(store, args, out);
}

/** Names of the commands. */
export const COMMANDS = Object.keys(commands);

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Options of the demo, from the command line. */
export interface DemoOptions {
  durationS: number;
  rate: number;
  seed: number;
  dataDir: string;
  adminPort: number;
  collectorPort: number;
  exit: boolean;
  /** Print a live trace of every event on stderr (`--trace`, or `OBS_TRACE=1`). */
  trace: boolean;
}

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The text of `--help`. */
export const DEMO_HELP = `obs demo — a simulated multi-agent workload through the collector pipeline
into SQLite + JSONL, with the live stream on and the admin dashboard serving it.

Usage: npm start -- [options]

Options:
  --duration S         seconds of workload to generate (default 15)
  --rate R             agent runs started per second (default 4)
  --seed N             workload seed; the same seed gives the same runs (default 42)
  --data-dir DIR       where SQLite and JSONL go; emptied first (default ${resolve(REPO_ROOT, '.obs')})
  --admin-port P       dashboard port on 127.0.0.1 (default 4600)
  --collector-port P   collector HTTP + stream port on 127.0.0.1 (default 4610)
  --exit               exit after the workload instead of serving the dashboard
  --trace              print a live, indented trace of every event on stderr (also OBS_TRACE=1)
  --help               show this help`;

/** Parses argv; throws an Error with a usage message for bad values. */
export function parseDemoOptions(argv: string[]): DemoOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '15' },
      rate: { type: 'string', default: '4' },
      seed: { type: 'string', default: '42' },
      'data-dir': { type: 'string', default: resolve(REPO_ROOT, '.obs') },
      'admin-port': { type: 'string', default: '4600' },
      'collector-port': { type: 'string', default: '4610' },
      exit: { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const number = (name: string, text: string, ok: (n: number) => boolean, expected: string) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || !ok(n))
      throw new Error(`--${name} ${JSON.stringify(text)}: expected ${expected}`);
    return n;
  };
  const port = (name: string, text: string) =>
    number(name, text, (n) => Number.isInteger(n) && n >= 0 && n <= 65_535, 'a port 0-65535');
  return {
    durationS: number('duration', values.duration, (n) => n > 0 && n <= 3600, 'seconds between 0 and 3600'),
    rate: number('rate', values.rate, (n) => n > 0 && n <= 1000, 'runs per second between 0 and 1000'),
    seed: number('seed', values.seed, Number.isInteger, 'an integer'),
    dataDir: resolve(values['data-dir']),
    adminPort: port('admin-port', values['admin-port']),
    collectorPort: port('collector-port', values['collector-port']),
    exit: values.exit,
    trace: values.trace,
  };
}

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createS3Backup } from '@obs/backup-s3';
import Database from 'better-sqlite3';
import type { BenchRow, BenchSuite } from '../harness.js';
import type { BackupWriterData, BackupWriterReport } from './backup-writer-worker.js';

const MB = 1024 * 1024;
const root = new URL('../../../', import.meta.url).pathname;

/** Real prose and code (package READMEs from the store) so text compresses like real agent traffic, not like lorem ipsum. */
function corpus(limit: number): string {
  const store = join(root, 'node_modules/.pnpm');
  const parts: string[] = [];
  let size = 0;
  for (const pkg of readdirSync(store).sort()) {
    const nm = join(store, pkg, 'node_modules');
    if (!existsSync(nm)) continue;
    for (const name of readdirSync(nm).sort()) {
      const readme = join(nm, name, 'README.md');
      if (!existsSync(readme)) continue;
      const text = readFileSync(readme, 'utf8');
      parts.push(text);
      size += text.length;
      if (size > limit) return parts.join('\n');
    }
  }
  return parts.join('\n');
}

const SCHEMA = `CREATE TABLE events (id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, event_type TEXT NOT NULL, timestamp TEXT NOT NULL,
  seq INTEGER NOT NULL, source TEXT NOT NULL, run_id TEXT NOT NULL, session_id TEXT, parent_event_id TEXT, status TEXT, duration_ms REAL, json TEXT NOT NULL);
CREATE INDEX events_run ON events (run_id, timestamp); CREATE INDEX events_type ON events (event_type, timestamp); CREATE INDEX events_time ON events (timestamp);`;

/** Fills a WAL database with agent runs (4 interleaved): llm calls carrying their system prompt and history, tools, thoughts, spans. */
function makeDatabase(path: string, bytes: number, text: string): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.exec(SCHEMA);
  db.pragma('user_version = 1');
  let seed = 42;
  const r = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const slice = (n: number) => {
    const at = Math.floor(r() * (text.length - n));
    return text.slice(at, at + n);
  };
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  const system = Array.from({ length: 4 }, () => slice(1500));
  const insert = db.prepare('INSERT INTO events VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?)');
  let ms = Date.UTC(2025, 0, 1);
  let seq = 0;
  let count = 0;
  const runs = Array.from({ length: 4 }, (_, i) => ({
    id: '',
    source: `agent-${i}`,
    history: [] as string[],
    turn: 0,
  }));
  const batch = db.transaction(() => {
    for (let i = 0; i < 500; i++) {
      const run = runs[Math.floor(r() * runs.length)]!;
      if (run.turn === 0 || run.turn > 12)
        Object.assign(run, {
          id: `${ms.toString(16)}-7${hex(3)}-8${hex(3)}-${hex(12)}`,
          history: [slice(200)],
          turn: 1,
        });
      ms += 1 + Math.floor(r() * 50);
      const kind = ['llm.call', 'tool.call', 'tool.result', 'agent.thought', 'span'][Math.floor(r() * 5)]!;
      const out = slice(
        kind === 'llm.call'
          ? 300 + Math.floor(r() * 1500)
          : kind === 'tool.result'
            ? 200 + Math.floor(r() * 2000)
            : 80 + Math.floor(r() * 300),
      );
      const payload =
        kind === 'llm.call'
          ? {
              provider: 'openai',
              model: 'gpt-4.1',
              prompt_tokens: 900 + Math.floor(r() * 3000),
              completion_tokens: Math.floor(r() * 600),
              latency_ms: Math.floor(r() * 5000),
              input: [
                { role: 'system', content: system[Number(run.source.slice(-1))] },
                ...run.history.slice(-3).map((content) => ({ role: 'user', content })),
              ],
              output: out,
              finish_reason: 'stop',
            }
          : kind === 'tool.call'
            ? {
                tool: 'read_file',
                call_id: `call_${hex(24)}`,
                arguments: { path: `src/${hex(6)}.ts`, query: slice(40) },
              }
            : kind === 'tool.result'
              ? { tool: 'read_file', call_id: `call_${hex(24)}`, success: true, output: out }
              : kind === 'span'
                ? { operation: 'tool.execute', component: 'tools', input_summary: out }
                : { content: out, kind: 'reasoning' };
      if (kind === 'llm.call') run.history.push(out);
      run.turn++;
      const e = {
        schema_version: 1,
        event_id: `${ms.toString(16)}-7${hex(3)}-9${hex(3)}-${hex(12)}`,
        event_type: kind,
        timestamp: new Date(ms).toISOString(),
        seq: ++seq,
        source: run.source,
        run_id: run.id,
        request_id: null,
        cycle: null,
        session_id: null,
        turn_number: run.turn,
        parent_event_id: null,
        audit_level: 'turn',
        status: 'ok',
        duration_ms: Math.floor(r() * 3000),
        payload,
      };
      insert.run(
        e.event_id,
        e.event_type,
        e.timestamp,
        e.seq,
        e.source,
        e.run_id,
        null,
        null,
        'ok',
        e.duration_ms,
        JSON.stringify(e),
      );
      count++;
    }
  });
  const size = () => (db.pragma('page_count', { simple: true }) as number) * 4096;
  while (size() < bytes) batch();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return count;
}

/** A writer in its own thread (`backup-writer-worker.ts`): one small transaction every ~2 ms; reports the longest gap between commits. */
function startWriter(path: string): { stop(): Promise<BackupWriterReport> } {
  const worker = new Worker(new URL('./backup-writer-worker.js', import.meta.url), {
    workerData: { path, tag: Math.random().toString(36).slice(2) } satisfies BackupWriterData,
  });
  return {
    stop: () =>
      new Promise((done) => {
        worker.once('message', (m: BackupWriterReport) => {
          void worker.terminate();
          done(m);
        });
        worker.postMessage('stop');
      }),
  };
}

/** Starts s3rver (a dev dependency of @obs/backup-s3) on loopback. */
async function startS3(dir: string) {
  const S3rver = createRequire(join(root, 'packages/backup-s3/package.json'))('s3rver');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: 'bench' }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.httpServer.closeAllConnections();
      }),
  };
}

async function timedBackup(db: string, endpoint: string, level: number, prefix: string, writer: boolean) {
  const backup = createS3Backup({
    database: db,
    compressionLevel: level,
    s3: {
      bucket: 'bench',
      prefix,
      endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    },
  });
  const w = writer ? startWriter(db) : undefined;
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const r = await backup.run();
  clearInterval(sampler);
  const stall = await w?.stop();
  backup.close();
  return { r, rssGrowthMb: (peak - rss0) / MB, peakMb: peak / MB, stall };
}

/** Backup suite: compression ratio and MB/s of a ~200 MB event database (level 9 vs 6), writer stall, memory. */
export const backupSuite: BenchSuite = {
  name: 'backup',
  async run({ quick }) {
    const dir = mkdtempSync(join(tmpdir(), 'obs-bench-backup-'));
    const s3 = await startS3(join(dir, 's3'));
    try {
      const text = corpus(6 * MB);
      const dbPath = join(dir, 'events.db');
      const target = quick ? 24 * MB : 200 * MB;
      const events = makeDatabase(dbPath, target, text);
      const probe = new Database(dbPath, { readonly: true });
      const raw = (probe.pragma('page_count', { simple: true }) as number) * 4096;
      probe.close();
      const baseline = startWriter(dbPath);
      await new Promise((r) => setTimeout(r, quick ? 1000 : 3000));
      const idle = await baseline.stop();
      const l9 = await timedBackup(dbPath, s3.endpoint, 9, 'l9', true);
      const l6 = await timedBackup(dbPath, s3.endpoint, 6, 'l6', false);
      const pct = (b: number) => (100 * b) / l9.r.databaseBytes;
      const rows: BenchRow[] = [
        {
          suite: 'backup',
          case: `archive size, % of raw db (${(raw / MB).toFixed(0)} MB, ${events} events), gzip -9`,
          value: pct(l9.r.bytes),
          unit: '%',
          peer: { name: 'gzip -6 archive', value: (100 * l6.r.bytes) / l6.r.databaseBytes },
          ratio: l6.r.bytes / l9.r.bytes,
          target: '<= 25%',
        },
        {
          suite: 'backup',
          case: 'backup throughput (snapshot+gzip+upload, without the drill), level 9',
          value: raw / MB / (l9.r.durationMs / 1000),
          unit: 'MB/s',
          peer: { name: 'level 6', value: raw / MB / (l6.r.durationMs / 1000) },
          ratio: l6.r.durationMs / l9.r.durationMs,
          note: 'level 9 run had a concurrent writer',
        },
        {
          suite: 'backup',
          case: 'restore drill (download, gunzip, integrity_check, count) vs the backup itself, level 9',
          value: l9.r.drillMs ?? Number.NaN,
          unit: 'ms',
          peer: { name: 'backup (snapshot+gzip+upload)', value: l9.r.durationMs },
          ratio: l9.r.durationMs / (l9.r.drillMs ?? Number.NaN),
          target: '< backup time (ratio > 1)',
          note: `drill ${((100 * (l9.r.drillMs ?? Number.NaN)) / l9.r.durationMs).toFixed(0)}% of the backup; level 6: drill ${l6.r.drillMs} ms vs backup ${l6.r.durationMs} ms`,
        },
        {
          suite: 'backup',
          case: 'longest writer stall during backup',
          value: l9.stall?.maxGapMs ?? Number.NaN,
          unit: 'ms',
          peer: { name: 'same writer, no backup', value: idle.maxGapMs },
          ratio: idle.maxGapMs / (l9.stall?.maxGapMs ?? Number.NaN),
          note: `${l9.stall?.commits} commits during backup`,
        },
        {
          suite: 'backup',
          case: `RSS growth during backup of ${(raw / MB).toFixed(0)} MB`,
          value: l9.rssGrowthMb,
          unit: 'MB',
          note: `peak RSS ${l9.peakMb.toFixed(0)} MB`,
        },
      ];
      if (!quick) {
        const big = join(dir, 'big.db');
        makeDatabase(big, 1024 * MB, text);
        rmSync(dbPath, { force: true });
        const b = await timedBackup(big, s3.endpoint, 9, 'big', false);
        rows.push({
          suite: 'backup',
          case: `RSS growth during backup of ${(b.r.databaseBytes / MB).toFixed(0)} MB`,
          value: b.rssGrowthMb,
          unit: 'MB',
          note: `peak RSS ${b.peakMb.toFixed(0)} MB, ${(b.r.databaseBytes / MB / (b.r.durationMs / 1000)).toFixed(1)} MB/s, archive ${pct(b.r.bytes).toFixed(1)}%, drill ${b.r.drillMs} ms vs backup ${b.r.durationMs} ms`,
        });
      }
      return rows;
    } finally {
      await s3.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

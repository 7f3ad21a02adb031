/** What a load run measured: events accepted, requests failed, and request latencies. */
export interface LoadRun {
  accepted: number;
  failed: number;
  seconds: number;
  p50_ms: number;
  p99_ms: number;
  /** CPU microseconds the load process itself used while it ran (user + system, all its threads). */
  cpuUs: number;
}

/**
 * Sends requests `0 … total-1` over `concurrency` lanes, each waiting for its answer before the next,
 * and times them; `send(n)` resolves with the events the server accepted, or `undefined` for a failed
 * request (an error counts as one).
 */
export async function runLoad(
  total: number,
  concurrency: number,
  send: (n: number) => Promise<number | undefined>,
): Promise<LoadRun> {
  let next = 0;
  let accepted = 0;
  let failed = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const n = next++;
        const t = performance.now();
        const got = await send(n).catch(() => undefined);
        latencies.push(performance.now() - t);
        if (got === undefined) failed++;
        else accepted += got;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  return {
    accepted,
    failed,
    seconds,
    p50_ms: latencies[Math.floor(latencies.length / 2)]!,
    p99_ms: latencies[Math.floor(latencies.length * 0.99)]!,
    cpuUs: used.user + used.system,
  };
}

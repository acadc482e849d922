/** A bounded closed-loop load generator: `clients` loops, each sending its next request when the last returns. */
export interface LoadResult {
  label: string;
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function runLoad(
  label: string,
  clients: number,
  durationMs: number,
  request: (client: number, i: number) => Promise<boolean>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; performance.now() < until; i++) {
        const t = performance.now();
        const ok = await request(client, i).catch(() => false);
        latencies.push(performance.now() - t);
        if (!ok) errors++;
      }
    }),
  );
  return summarize(label, latencies, errors, started);
}

/**
 * Open loop: requests start at a fixed rate whatever the latency, as real tills do; shows the
 * latency a request sees when the service is not saturated by the benchmark itself.
 */
export async function runOpenLoop(label: string, perSecond: number, durationMs: number, request: (i: number) => Promise<boolean>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const started = performance.now();
  const total = Math.floor((perSecond * durationMs) / 1000);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t = performance.now();
    inflight.push(
      request(i)
        .catch(() => false)
        .then((ok) => {
          latencies.push(performance.now() - t);
          if (!ok) errors++;
        }),
    );
  }
  await Promise.all(inflight);
  return summarize(label, latencies, errors, started);
}

/** Requests, errors, rate and latency percentiles of one load run. */
function summarize(label: string, latencies: number[], errors: number, started: number): LoadResult {
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    label,
    requests: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    maxMs: latencies.at(-1) ?? 0,
  };
}

export function printLoadTable(results: LoadResult[]): void {
  const rows = results.map((r) => [
    r.label,
    String(r.requests),
    String(r.errors),
    r.perSecond.toFixed(0),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    r.maxMs.toFixed(2),
  ]);
  const head = ['', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms', 'max ms'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

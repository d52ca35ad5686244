import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/**
 * Lambda sends EMF lines to CloudWatch; locally they go to `.local/metrics.jsonl` instead of the
 * console, so the traffic simulator can evaluate the alarm rules over what the functions emitted.
 */
export type MetricPoint = { t: number; name: string; value: number; dimensions: Record<string, string> };

type Emf = { _aws?: { Timestamp: number; CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>;

function emfPoints(line: string): MetricPoint[] | undefined {
  if (!line.includes('"_aws"')) return undefined;
  let emf: Emf;
  try {
    emf = JSON.parse(line) as Emf;
  } catch {
    return undefined;
  }
  if (!emf._aws?.CloudWatchMetrics) return undefined;
  const points: MetricPoint[] = [];
  for (const directive of emf._aws.CloudWatchMetrics) {
    const dimensions = Object.fromEntries((directive.Dimensions[0] ?? []).map((d) => [d, String(emf[d])]));
    for (const m of directive.Metrics) points.push({ t: emf._aws.Timestamp, name: m.Name, value: Number(emf[m.Name]), dimensions });
  }
  return points;
}

/** Diverts EMF lines written to stdout into the metrics file. */
export function captureEmf(file: string): void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const kept: string[] = [];
    for (const line of text.split('\n')) {
      const points = emfPoints(line);
      if (points) appendFileSync(file, points.map((p) => `${JSON.stringify(p)}\n`).join(''));
      else kept.push(line);
    }
    const out = kept.join('\n');
    return out === '' ? true : (write as (...a: unknown[]) => boolean)(out, ...rest);
  });
}

export function readMetrics(file: string, sinceMs = 0): MetricPoint[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MetricPoint)
    .filter((p) => p.t >= sinceMs);
}

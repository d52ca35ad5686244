import { GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CountryTraffic } from './brake.ts';
import { SIGNAL } from './signals.ts';

/** Issued and approved per allowed country over the last `minutes`, from the per-country metrics. */
export async function countryTraffic(cw: CloudWatchClient, countries: readonly string[], minutes: number, nowMs: number): Promise<CountryTraffic[]> {
  if (!countries.length) return [];
  const query = (name: string, country: string, id: string) => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: 'Sealtext', MetricName: name, Dimensions: [{ Name: 'service', Value: 'sealtext' }, { Name: 'country', Value: country }] },
      Period: minutes * 60,
      Stat: 'Sum',
    },
  });
  const out = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(nowMs - minutes * 60_000),
      EndTime: new Date(nowMs),
      MetricDataQueries: countries.flatMap((c, i) => [query(SIGNAL.issuedByCountry, c, `i${i}`), query(SIGNAL.approvedByCountry, c, `a${i}`)]),
    }),
  );
  const total = (id: string) => (out.MetricDataResults ?? []).find((r) => r.Id === id)?.Values?.reduce((a, b) => a + b, 0) ?? 0;
  return countries.map((country, i) => ({ country, issued: total(`i${i}`), approved: total(`a${i}`) }));
}

/**
 * Child process for the kill -9 test (timeseries-outage.test.ts): an InfluxDB store that
 * accepts `count` readings while InfluxDB is down, says so, and waits to be killed.
 * argv: influxUrl dataDir count
 */
import pino from 'pino';
import { createTimeSeriesStore } from '../../src/store/timeseries.js';
import type { StoredReading } from '../../src/store/types.js';

const [influxUrl, dataDir, countText] = process.argv.slice(2);
const store = createTimeSeriesStore({ influxUrl, database: 'crash', dataDir, log: pino({ level: 'silent' }) });
await store.start();
const t0 = Date.now() - 600_000;
const count = Number(countText);
for (let k = 0; k < count; k += 5_000) {
  const b: StoredReading[] = [];
  for (let j = k; j < Math.min(count, k + 5_000); j++) {
    b.push({
      siteId: 'suwon',
      agentId: 'a1',
      sensorId: `s${j % 50}`,
      metric: 'gas',
      gas: 'CH4',
      unit: '%LEL',
      value: j,
      ts: t0 + j,
      quality: 'good',
    });
  }
  store.write(b);
}
process.stdout.write(`accepted ${store.pending()}\n`);
setInterval(() => undefined, 60_000);

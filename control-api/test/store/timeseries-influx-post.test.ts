/**
 * The store's /write requests on node:http (issue 18) against a real influxd: what InfluxDB
 * answers comes back as status and reason, gzip'ed spool bodies are accepted, keep-alive
 * connections carry one write after another, and a refused connection rejects instead of hanging.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { freePort, type InfluxInstance, startInfluxDB } from '../../../testkit/index.js';
import { InfluxWritePost } from '../../src/store/timeseries-influx-post.js';

const headers = { 'content-type': 'text/plain; charset=utf-8' };

describe('InfluxWritePost', () => {
  let influx: InfluxInstance;
  let post: InfluxWritePost;
  const count = async (): Promise<number> => {
    const q = encodeURIComponent('SELECT count(value) FROM reading');
    const r = (await (await fetch(`${influx.url}/query?db=post&q=${q}`)).json()) as {
      results: Array<{ series?: Array<{ values: Array<[string, number]> }> }>;
    };
    return r.results[0]?.series?.[0]?.values?.[0]?.[1] ?? 0;
  };

  before(async () => {
    influx = await startInfluxDB();
    await fetch(`${influx.url}/query?q=CREATE+DATABASE+post`, { method: 'POST' });
    post = new InfluxWritePost(new URL(`${influx.url}/write?db=post&precision=ms`), headers, 2);
  });
  after(async () => {
    post.close();
    await influx.stop();
  });

  test('lines and gzip bodies are written (204), one after another on kept-alive connections', async () => {
    const t = Date.now() - 60_000;
    const plain = Buffer.from(`reading,sensorId=a value=1 ${t}\nreading,sensorId=a value=2 ${t + 1}\n`);
    const gz = gzipSync(Buffer.from(`reading,sensorId=b value=3 ${t}\n`));
    assert.deepEqual(await post.post(plain, false), { status: 204, text: '' });
    assert.deepEqual(await post.post(gz, true), { status: 204, text: '' });
    const many = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post.post(Buffer.from(`reading,sensorId=c value=${i} ${t + i}\n`), false)),
    );
    assert.deepEqual(
      many.map((a) => a.status),
      Array(10).fill(204),
    );
    assert.equal(await count(), 13);
  });

  test('a malformed body comes back as 400 with InfluxDB reason', async () => {
    const a = await post.post(Buffer.from('reading,sensorId=d value= not-a-number\n'), false);
    assert.equal(a.status, 400);
    assert.match(a.text, /unable to parse|invalid/i);
  });

  test('a refused connection rejects', async () => {
    const closed = new InfluxWritePost(new URL(`http://127.0.0.1:${await freePort()}/write?db=x`), headers, 1);
    await assert.rejects(closed.post(Buffer.from('x'), false), /ECONNREFUSED/);
    closed.close();
  });
});

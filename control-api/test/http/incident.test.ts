/**
 * Issue 21 over HTTP: CSV exports (streamed, formula-safe, BOM, site-scoped, audited), the
 * evidence bundle (signed manifest checked by the real `gwanje-config verify-evidence`, a
 * tampered copy refused, site scope, audit) and the CAP document (schema-valid).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { xsdErrors } from '../incident/xsd.js';
import { rezip, unzip } from '../incident/zip.js';
import { createHarness, type Harness } from './harness.js';

const PW = 'correct horse battery staple';
const CLI = new URL('../../../firmware-config/bin/gwanje-config.mjs', import.meta.url).pathname;

async function bytes(h: Harness, path: string, token: string): Promise<{ status: number; type: string; body: Buffer }> {
  const r = await fetch(h.url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: Buffer.from(await r.arrayBuffer()) };
}

function verify(zip: Buffer, keyPem?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-verify-'));
  try {
    writeFileSync(join(dir, 'bundle.zip'), zip);
    const args = [CLI, 'verify-evidence', join(dir, 'bundle.zip')];
    if (keyPem) {
      writeFileSync(join(dir, 'center.pem'), keyPem);
      args.push('--key', join(dir, 'center.pem'));
    }
    return spawnSync(process.execPath, args, { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('issue 21 exports, evidence and CAP over HTTP', () => {
  let h: Harness;
  let admin: string;
  let suwonViewer: string;
  let alarmId: string;
  before(async () => {
    h = await createHarness();
    await h.seedDevices(['suwon', 'osan']);
    await h.auth.users.create({ username: 'root', password: PW, role: 'admin', sites: ['*'] }, 'test', null);
    await h.auth.users.create({ username: 'kim', password: PW, role: 'viewer', sites: ['suwon'] }, 'test', null);
    admin = await h.login('root', PW);
    suwonViewer = await h.login('kim', PW);
    const t = h.clock.now();
    await h.addReadings('suwon-ch4-1', [
      { ts: t - 120_000, value: 3, quality: 'good' },
      { ts: t - 61_000, value: 61.5, quality: 'good' },
      { ts: t - 30_000, value: -1, quality: 'fault' },
    ]);
    // An alarm of the sensor with readings, with a message and an ack comment an attacker could have planted.
    alarmId = await h.newAlarm('suwon', 'unack', {
      sourceId: 'suwon-ch4-1',
      message: '=HYPERLINK("http://evil","CH4")',
    });
    await h.call('POST', `/api/v1/alarms/${alarmId}/ack`, { token: admin, body: { comment: '@SUM(1+1)*cmd|calc' } });
    h.addClip(alarmId, 'suwon-cam-1', Buffer.from('not really an mp4 but bytes to hash'));
  });
  after(() => h.close());

  test('readings.csv: BOM, header, every raw reading with quality, oldest first; audited', async () => {
    const r = await bytes(h, '/api/v1/export/readings.csv?sensorId=suwon-ch4-1', suwonViewer);
    assert.equal(r.status, 200);
    assert.equal(r.type, 'text/csv; charset=utf-8');
    const text = r.body.toString('utf8');
    assert.ok(text.startsWith('\uFEFFts,time_utc,sensorId,siteId,agentId,metric,gas,unit,value,quality\r\n'));
    const rows = text.slice(1).trim().split('\r\n').slice(1);
    assert.deepEqual(
      rows.map((l) => l.split(',').slice(-2).join(',')),
      // seedDevices' three readings a minute ago (1, 2, 3) sit between these.
      ['3,good', '61.5,good', '1,good', '2,good', '3,good', '-1,fault'],
    );
    assert.match(rows[0], /^\d+,\d{4}-\d\d-\d\dT[^,]+Z,suwon-ch4-1,suwon,suwon-agent-1,gas,CH4,%LEL,3,good$/);
    const audit = await h.call('GET', '/api/v1/audit?action=export.readings', { token: admin });
    assert.ok(
      (audit.json as { actor: string; target: string }[]).some((x) => x.actor === 'kim' && x.target === 'suwon-ch4-1'),
    );
  });

  test('exports are site-scoped: another site is 404 (sensor) or 403 (site); bad input names the field', async () => {
    assert.equal(
      (await h.call('GET', '/api/v1/export/readings.csv?sensorId=osan-ch4-1', { token: suwonViewer })).status,
      404,
    );
    assert.equal((await h.call('GET', '/api/v1/export/alarms.csv?siteId=osan', { token: suwonViewer })).status, 403);
    const missing = await h.call('GET', '/api/v1/export/readings.csv', { token: suwonViewer });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /sensorId/);
    const backwards = await h.call('GET', '/api/v1/export/alarms.csv?from=1763900000000&to=1763800000000', {
      token: admin,
    });
    assert.equal(backwards.status, 400);
    assert.match(backwards.text, /from/);
    assert.equal((await h.call('GET', '/api/v1/export/alarms.csv')).status, 401);
  });

  test('alarms.csv: formula-looking cells are neutralised; a site-limited user gets only its site', async () => {
    await h.newAlarm('osan');
    const mine = (await bytes(h, '/api/v1/export/alarms.csv', suwonViewer)).body.toString('utf8');
    assert.ok(mine.startsWith('\uFEFFid,siteId,'));
    assert.match(mine, /"'=HYPERLINK\(""http:\/\/evil"",""CH4""\)"/);
    assert.doesNotMatch(mine, /,=HYPERLINK/);
    assert.doesNotMatch(mine, /,osan,/);
    const all = (await bytes(h, '/api/v1/export/alarms.csv', admin)).body.toString('utf8');
    assert.match(all, /,osan,/);
  });

  test('evidence: one ZIP whose signed manifest verifies with the center key, and a tampered copy does not', async () => {
    const key = await bytes(h, '/api/v1/evidence/public-key.pem', suwonViewer);
    assert.equal(key.status, 200);
    const pem = key.body.toString();
    assert.match(pem, /BEGIN PUBLIC KEY/);
    const r = await bytes(h, `/api/v1/alarms/${alarmId}/evidence?lang=en`, suwonViewer);
    assert.equal(r.status, 200, r.body.toString().slice(0, 200));
    assert.equal(r.type, 'application/zip');
    const files = await unzip(r.body);
    for (const f of [
      'manifest.json',
      'alarm.json',
      'journal.csv',
      'notifications.json',
      'trace/suwon-ch4-1.csv',
      'report.html',
      'center-public-key.pem',
      'media/index.json',
    ])
      assert.ok(files.has(f), `${f} in ${[...files.keys()].join(' ')}`);
    const manifest = JSON.parse(String(files.get('manifest.json')));
    assert.equal(manifest.alarmId, alarmId);
    assert.equal(manifest.masked, 'none');
    assert.equal(manifest.keyId, key.body.length > 0 ? h.evidenceKey.keyId : '');
    assert.equal(manifest.files.length, files.size - 1);
    // The journal carries the planted comment, neutralised; the trace has the readings.
    assert.match(String(files.get('journal.csv')), /'@SUM\(1\+1\)\*cmd\|calc/);
    assert.match(String(files.get('trace/suwon-ch4-1.csv')), /61\.5,good/);
    assert.match(String(files.get('report.html')), /<html lang="en">[\s\S]*Incident evidence report/);
    assert.match(String(files.get('report.html')), /=HYPERLINK\(&quot;http:\/\/evil&quot;/);
    assert.ok([...files.keys()].some((f) => f.startsWith('media/suwon-cam-1-') && f.endsWith('.mp4')));

    const ok = verify(r.body, pem);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`evidence ok: alarm ${alarmId} \\(suwon\\)`));
    const unpinned = verify(r.body);
    assert.equal(unpinned.status, 0, unpinned.stderr);
    assert.match(unpinned.stderr, /integrity only/);

    const altered = new Map(files);
    altered.set(
      'trace/suwon-ch4-1.csv',
      Buffer.from(String(files.get('trace/suwon-ch4-1.csv')).replace('61.5', '6.15')),
    );
    const bad = verify(await rezip(altered), pem);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /trace\/suwon-ch4-1\.csv: SHA-256 or size differs/);
    // A forger who re-signs with their own key and swaps the bundled key is caught by the pinned key.
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const wrongKey = verify(r.body, other);
    assert.equal(wrongKey.status, 1);
    assert.match(wrongKey.stderr, /keyId|signature/);
  });

  test('evidence: ko report by default, another site 404, no masker 503, every export audited', async () => {
    const ko = await unzip((await bytes(h, `/api/v1/alarms/${alarmId}/evidence`, admin)).body);
    assert.match(String(ko.get('report.html')), /<html lang="ko">[\s\S]*사고 증거 보고서/);
    const osan = await h.newAlarm('osan');
    assert.equal((await h.call('GET', `/api/v1/alarms/${osan}/evidence`, { token: suwonViewer })).status, 404);
    const masked = await h.call('GET', `/api/v1/alarms/${alarmId}/evidence?mask=faces`, { token: admin });
    assert.equal(masked.status, 503);
    assert.match(masked.text, /masking-unavailable/);
    assert.equal((await h.call('GET', `/api/v1/alarms/${alarmId}/evidence?mask=blur`, { token: admin })).status, 400);
    const audit = (await h.call('GET', '/api/v1/audit?action=alarm.evidence', { token: admin })).json as {
      actor: string;
      target: string;
      detail: string;
    }[];
    const rows = audit.filter((x) => x.target === alarmId);
    assert.ok(rows.some((x) => x.actor === 'kim'));
    assert.ok(rows.every((x) => JSON.parse(x.detail).masked === false));
  });

  test('cap: schema-valid CAP 1.2 for the alarm, audited; another site 404', async () => {
    const r = await bytes(h, `/api/v1/alarms/${alarmId}/cap`, suwonViewer);
    assert.equal(r.status, 200);
    assert.equal(r.type, 'application/cap+xml; charset=utf-8');
    const xml = r.body.toString();
    assert.equal(xsdErrors(xml), '');
    assert.match(xml, /<sender>gwanje@test-center<\/sender>/);
    assert.match(xml, /<msgType>Update<\/msgType>/, 'acknowledged: an update of the first alert');
    const osan = await h.newAlarm('osan');
    assert.equal((await h.call('GET', `/api/v1/alarms/${osan}/cap`, { token: suwonViewer })).status, 404);
  });
});

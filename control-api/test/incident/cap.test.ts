/**
 * Issue 21: the alarm as an OASIS CAP 1.2 alert, validated against the CAP 1.2 XSD
 * (CAP-v1.2.xsd here) with xmllint (Debian libxml2-utils, scripts/install-test-deps.mjs).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import { alarmToCap, capTime } from '../../src/incident/cap.js';
import { xsdErrors } from './xsd.js';

const site = { siteId: 'suwon', name: 'Suwon', nameKo: '수원시', lat: 37.2636, lon: 127.0286 };
const T = 1_763_900_000_000;
const base: Alarm = {
  id: '0mhx5-ab12cd34ef',
  siteId: 'suwon',
  sourceId: 'suwon-ch4-1',
  sourceKind: 'sensor',
  type: 'gas-high',
  priority: 1,
  state: 'unack',
  raisedAt: T,
  value: 60,
  threshold: 25,
  message: 'CH4 60 %LEL <above> 25 & rising',
  cameras: ['suwon-cam-1'],
};

test('the xsd itself rejects what CAP forbids (so a pass means something)', () => {
  const good = alarmToCap({ alarm: base, site, sender: 'gwanje@center', gas: 'CH4', unit: '%LEL' });
  assert.equal(xsdErrors(good), '');
  assert.notEqual(xsdErrors(good.replace('<status>Actual</status>', '<status>Real</status>')), '');
  assert.notEqual(xsdErrors(good.replace(capTime(T), new Date(T).toISOString())), '', 'Z time zone refused');
  assert.notEqual(xsdErrors(good.replace(/<sender>.*<\/sender>\n/, '')), '', 'sender is required');
});

test('every alarm type and state gives a valid alert; ids, times, areas and languages as CAP wants', () => {
  const states = ['unack', 'acked', 'rtn-unack', 'latched', 'normal', 'shelved', 'out-of-service'] as const;
  const kinds: [Alarm['type'], Alarm['sourceKind'], string | undefined][] = [
    ['gas-high', 'sensor', 'CH4'],
    ['gas-stel', 'sensor', 'H2S'],
    ['flame', 'sensor', undefined],
    ['fire-suspected', 'camera', undefined],
    ['comm-loss', 'agent', undefined],
    ['anomaly', 'sensor', 'CO'],
  ];
  let n = 0;
  for (const state of states)
    for (const [type, sourceKind, gas] of kinds) {
      const alarm: Alarm = {
        ...base,
        type,
        sourceKind,
        state,
        priority: type === 'anomaly' ? 4 : 1,
        updatedAt: state === 'unack' ? undefined : T + 90_000,
        clearedAt: state === 'normal' ? T + 60_000 : undefined,
      };
      const xml = alarmToCap({ alarm, site, sender: 'gwanje@center', gas });
      assert.equal(xsdErrors(xml, `a${n++}.xml`), '', `${type} ${state}`);
      if (state === 'unack') {
        assert.match(xml, /<msgType>Alert<\/msgType>/);
        assert.match(xml, /<identifier>gwanje\.0mhx5-ab12cd34ef<\/identifier>/);
      } else {
        assert.match(xml, /<msgType>Update<\/msgType>/);
        assert.match(xml, /<references>gwanje@center,gwanje\.0mhx5-ab12cd34ef,2025-11-23T12:13:20-00:00<\/references>/);
      }
      if (state === 'normal') {
        assert.match(xml, /<urgency>Past<\/urgency>/);
        assert.match(xml, /<responseType>AllClear<\/responseType>/);
      }
    }
  const xml = alarmToCap({ alarm: base, site, sender: 'gwanje@center', gas: 'CH4', unit: '%LEL' });
  assert.match(xml, /<language>ko-KR<\/language>[\s\S]*<headline>수원시: 가스 농도 높음 \(CH4\)<\/headline>/);
  assert.match(xml, /<language>en-US<\/language>[\s\S]*<headline>Suwon: Gas concentration high \(CH4\)<\/headline>/);
  assert.match(xml, /<circle>37\.2636,127\.0286 0<\/circle>/);
  assert.match(xml, /<sent>2025-11-23T12:13:20-00:00<\/sent>/);
  assert.match(xml, /<category>Safety<\/category>/);
  assert.match(xml, /<urgency>Immediate<\/urgency>/);
  assert.match(xml, /<severity>Severe<\/severity>/);
  // The message's markup characters are escaped, never markup.
  assert.match(xml, /CH4 60 %LEL &lt;above&gt; 25 &amp; rising/);
  const toxic = alarmToCap({ alarm: { ...base, type: 'gas-stel' }, site, sender: 's', gas: 'H2S' });
  assert.match(toxic, /<category>Safety<\/category>\n\s*<category>CBRNE<\/category>/);
});

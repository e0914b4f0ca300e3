/**
 * An alarm as an OASIS Common Alerting Protocol 1.2 `<alert>` (issue 21, CONTRACT
 * `GET /api/v1/alarms/{id}/cap`), for fire services and disaster agencies. Pure: facts in, XML
 * out; validated against the CAP 1.2 XSD in tests (test/incident/cap-v1.2.xsd).
 *
 * Mapping (CAP 1.2 section 3.2):
 * - identifier `gwanje.<alarmId>` for the first message; a later state of the same alarm is a
 *   new message `gwanje.<alarmId>.<updatedAt>` with msgType Update and `references` to the
 *   first (sender,identifier,sent), so a receiver threads them.
 * - status Actual, scope Restricted (site locations are for the agencies, not the public).
 * - category: flame, smoke and video fire -> Fire; gas -> Safety (plus CBRNE for toxic gases);
 *   communication and device faults -> Infra.
 * - urgency Immediate for a standing P1/P2, Expected for P3/P4, Past once returned to normal;
 *   severity P1 Severe, P2 Moderate, P3/P4 Minor; certainty Observed for a measurement,
 *   Likely for camera- or model-based alarms; responseType Assess, AllClear once closed.
 * - times as `YYYY-MM-DDThh:mm:ss-00:00` (UTC; section 3.3.2 forbids "Z").
 * - one `<info>` per language (ko-KR, en-US), the site as `<area>` with its point as a circle
 *   of radius 0 (WGS 84 "lat,lon radius").
 */
import { type Alarm, CAMERA_CONDITION_TYPES, gasInfo, ruleTypeInfo } from '@gwanje/protocol';

export interface CapInput {
  alarm: Alarm;
  site: { siteId: string; name: string; nameKo: string; lat: number; lon: number };
  /** Sender id: `GWANJE_CAP_SENDER` or the center's host name. */
  sender: string;
  gas?: string;
  unit?: string;
  /** Where the alarm can be looked at (the console's alarm URL), optional. */
  web?: string;
}

/** A toxic gas (the safety table's kind) is a CBRNE matter for the emergency services. */
const isToxic = (gas?: string): boolean => gasInfo(gas)?.kind === 'toxic';

const xml = (v: string | number): string =>
  String(v).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );

/** CAP 1.2 3.3.2 dateTime: second precision, explicit offset, UTC written as -00:00. */
export const capTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}-00:00`;

/** CAP `<category>` from the safety table (protocol/src/safety): how the alarm type is evaluated. */
function categories(a: Alarm, gas?: string): string[] {
  const info = ruleTypeInfo(a.type);
  if (a.type === 'flame' || a.type === 'smoke' || a.type === 'fire-suspected' || info?.evaluation === 'rate')
    return ['Fire'];
  if (a.type.startsWith('gas-')) return isToxic(gas) ? ['Safety', 'CBRNE'] : ['Safety'];
  if (info?.evaluation === 'fault' || info?.evaluation === 'stale') return ['Infra'];
  if (['comm-loss', 'camera-loss', 'config'].includes(a.type) || CAMERA_CONDITION_TYPES.has(a.type)) return ['Infra'];
  return ['Other'];
}

const EVENT: Record<string, [string, string]> = {
  flame: ['Flame detected', '불꽃 감지'],
  smoke: ['Smoke detected', '연기 감지'],
  'fire-suspected': ['Fire suspected on camera', '영상 화재 의심'],
  'rate-of-rise': ['Rapid temperature rise', '급격한 온도 상승'],
  'gas-high': ['Gas concentration high', '가스 농도 높음'],
  'gas-low': ['Gas concentration elevated', '가스 농도 상승'],
  'gas-stel': ['Gas short-term exposure limit exceeded', '가스 단시간 노출기준 초과'],
  'gas-twa': ['Gas time-weighted average exceeded', '가스 시간가중평균 초과'],
  'comm-loss': ['Field device communication lost', '현장 장치 통신 두절'],
  'camera-loss': ['Camera signal lost', '카메라 신호 끊김'],
  'sensor-fault': ['Sensor fault', '센서 고장'],
  stale: ['Sensor silent', '센서 무응답'],
  anomaly: ['Unusual sensor reading', '비정상 측정값'],
};

export function alarmToCap(c: CapInput): string {
  const a = c.alarm;
  const closed = a.state === 'normal';
  const standing = !closed && a.state !== 'rtn-unack' && a.state !== 'latched';
  const first = `gwanje.${a.id}`;
  const updatedAt = a.updatedAt ?? a.raisedAt;
  const isUpdate = a.state !== 'unack' || updatedAt > a.raisedAt;
  const identifier = isUpdate ? `${first}.${updatedAt}` : first;
  const sent = isUpdate ? updatedAt : a.raisedAt;
  const urgency = !standing ? 'Past' : a.priority <= 2 ? 'Immediate' : 'Expected';
  const severity = a.priority === 1 ? 'Severe' : a.priority === 2 ? 'Moderate' : 'Minor';
  const certainty = a.sourceKind === 'camera' || a.type === 'anomaly' || a.advisory ? 'Likely' : 'Observed';
  const gasText = c.gas ? ` (${c.gas})` : '';
  const value =
    a.value === undefined
      ? ''
      : `${a.value}${c.unit ? ` ${c.unit}` : ''}${a.threshold === undefined ? '' : ` / ${a.threshold}`}`;
  const [evEn, evKo] = EVENT[a.type] ?? [a.type, a.type];
  const params: [string, string | number | undefined][] = [
    ['gwanje:alarmId', a.id],
    ['gwanje:siteId', a.siteId],
    ['gwanje:sourceId', a.sourceId],
    ['gwanje:sourceKind', a.sourceKind],
    ['gwanje:type', a.type],
    ['gwanje:priority', a.priority],
    ['gwanje:state', a.state],
    ['gwanje:gas', c.gas],
    ['gwanje:unit', c.unit],
    ['gwanje:value', a.value],
    ['gwanje:threshold', a.threshold],
    ['gwanje:raisedAt', capTime(a.raisedAt)],
    ['gwanje:clearedAt', a.clearedAt === undefined ? undefined : capTime(a.clearedAt)],
  ];
  const info = (lang: 'ko-KR' | 'en-US') => {
    const ko = lang === 'ko-KR';
    const siteName = ko ? c.site.nameKo || c.site.name : c.site.name;
    const event = `${ko ? evKo : evEn}${gasText}`;
    const headline = `${siteName}: ${event}${closed ? (ko ? ' (정상 복귀)' : ' (back to normal)') : ''}`;
    const description = [
      a.message,
      value && `${ko ? '측정값/설정값' : 'value/setpoint'}: ${value}`,
      `${ko ? '발생원' : 'source'}: ${a.sourceId}`,
    ]
      .filter(Boolean)
      .join('\n');
    return [
      '  <info>',
      `    <language>${lang}</language>`,
      ...categories(a, c.gas).map((x) => `    <category>${x}</category>`),
      `    <event>${xml(event)}</event>`,
      `    <responseType>${closed ? 'AllClear' : 'Assess'}</responseType>`,
      `    <urgency>${urgency}</urgency>`,
      `    <severity>${severity}</severity>`,
      `    <certainty>${certainty}</certainty>`,
      `    <eventCode><valueName>gwanje:alarmType</valueName><value>${xml(a.type)}</value></eventCode>`,
      `    <effective>${capTime(a.raisedAt)}</effective>`,
      `    <onset>${capTime(a.raisedAt)}</onset>`,
      `    <senderName>${xml(`Gwanje ${siteName}`)}</senderName>`,
      `    <headline>${xml(headline.slice(0, 160))}</headline>`,
      `    <description>${xml(description)}</description>`,
      ...(c.web ? [`    <web>${xml(c.web)}</web>`] : []),
      ...params
        .filter(([, v]) => v !== undefined && v !== '')
        .map(
          ([k, v]) =>
            `    <parameter><valueName>${k}</valueName><value>${xml(v as string | number)}</value></parameter>`,
        ),
      '    <area>',
      `      <areaDesc>${xml(`${siteName} (${c.site.siteId})`)}</areaDesc>`,
      `      <circle>${c.site.lat},${c.site.lon} 0</circle>`,
      '    </area>',
      '  </info>',
    ].join('\n');
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">',
    `  <identifier>${xml(identifier)}</identifier>`,
    `  <sender>${xml(c.sender)}</sender>`,
    `  <sent>${capTime(sent)}</sent>`,
    '  <status>Actual</status>',
    `  <msgType>${isUpdate ? 'Update' : 'Alert'}</msgType>`,
    '  <source>Gwanje</source>',
    '  <scope>Restricted</scope>',
    '  <restriction>For emergency and disaster agencies; contains site locations.</restriction>',
    ...(isUpdate ? [`  <references>${xml(`${c.sender},${first},${capTime(a.raisedAt)}`)}</references>`] : []),
    `  <incidents>${xml(first)}</incidents>`,
    info('ko-KR'),
    info('en-US'),
    '</alert>',
    '',
  ].join('\n');
}

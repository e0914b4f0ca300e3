/**
 * SMS text for an alarm, in Korean or English, and how it is carried. Pure.
 *
 * Korean carriers bill a short message (SMS) as up to 90 bytes of EUC-KR (KS X 1001: 2 bytes
 * per Hangul syllable, 1 per ASCII) and a long message (LMS) up to 2,000 bytes. A text with a
 * character EUC-KR cannot carry goes as UCS-2: 70 characters per SMS (3GPP TS 23.038 / 23.040).
 */
import iconv from 'iconv-lite';

export const SMS_EUCKR_BYTES = 90;
export const SMS_UCS2_CHARS = 70;
export const LMS_EUCKR_BYTES = 2000;

export interface SmsMeasure {
  encoding: 'EUC-KR' | 'UCS-2';
  /** bytes (EUC-KR) or UTF-16 code units (UCS-2) */
  units: number;
  kind: 'SMS' | 'LMS';
}

function eucKrEncodable(text: string): boolean {
  // iconv-lite replaces unencodable characters with '?': compare the round trip.
  return iconv.decode(iconv.encode(text, 'euc-kr'), 'euc-kr') === text;
}

export function measureSms(text: string): SmsMeasure {
  if (eucKrEncodable(text)) {
    const units = iconv.encode(text, 'euc-kr').length;
    return { encoding: 'EUC-KR', units, kind: units <= SMS_EUCKR_BYTES ? 'SMS' : 'LMS' };
  }
  const units = text.length;
  return { encoding: 'UCS-2', units, kind: units <= SMS_UCS2_CHARS ? 'SMS' : 'LMS' };
}

export interface AlarmSmsFacts {
  siteName: string;
  siteNameKo?: string;
  sourceId: string;
  type: string;
  priority: number;
  gas?: string;
  value?: number;
  unit?: string;
  raisedAt: number;
  code: string;
}

const TYPE_KO: Record<string, string> = {
  'gas-high': '가스고',
  'gas-low': '가스저',
  'gas-stel': '단시간노출',
  'gas-twa': '시간가중노출',
  'o2-low': '산소결핍',
  'o2-high': '산소과잉',
  flame: '화염',
  smoke: '연기',
  'rate-of-rise': '급상승',
  'sensor-fault': '센서고장',
  stale: '무응답',
  'comm-loss': '통신두절',
  'camera-loss': '영상두절',
  'camera-tamper': '카메라훼손',
  'video-loss': '영상신호손실',
  'camera-frozen': '영상정지',
  'camera-black': '영상암전',
  anomaly: '이상징후',
};

/** HH:MM in Korea Standard Time (UTC+9, no daylight saving). */
export function kstClock(ts: number): string {
  const d = new Date(ts + 9 * 3600_000);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

function reading(f: AlarmSmsFacts): string {
  if (f.value === undefined) return '';
  const v = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(1);
  return `${f.gas ? `${f.gas} ` : ''}${v}${f.unit && f.unit !== 'bool' ? f.unit : ''}`;
}

/**
 * Builds the message, shortest form first: the full text, then without the sensor id, so a
 * typical alarm fits one SMS. The acknowledgement code always stays.
 */
export function alarmSms(f: AlarmSmsFacts, lang: 'ko' | 'en'): { text: string } & SmsMeasure {
  const candidates =
    lang === 'ko'
      ? [
          `[관제P${f.priority}] ${f.siteNameKo ?? f.siteName} ${TYPE_KO[f.type] ?? f.type} ${reading(f)} ${f.sourceId} ${kstClock(f.raisedAt)} 회신:확인 ${f.code}`,
          `[관제P${f.priority}] ${f.siteNameKo ?? f.siteName} ${TYPE_KO[f.type] ?? f.type} ${reading(f)} ${kstClock(f.raisedAt)} 확인 ${f.code}`,
        ]
      : [
          `[Gwanje P${f.priority}] ${f.siteName} ${f.type} ${reading(f)} ${f.sourceId} ${kstClock(f.raisedAt)} KST. Reply ACK ${f.code}`,
          `[Gwanje P${f.priority}] ${f.siteName} ${f.type} ${reading(f)} ${kstClock(f.raisedAt)} ACK ${f.code}`,
        ];
  const tidy = candidates.map((c) => c.replace(/\s+/g, ' ').trim());
  for (const text of tidy) {
    const m = measureSms(text);
    if (m.kind === 'SMS') return { text, ...m };
  }
  return { text: tidy[0], ...measureSms(tidy[0]) };
}

/** One summary per site and recipient while the site is in alarm flood (EEMUA 191 flood handling). */
export function floodSummarySms(
  o: { siteName: string; siteNameKo?: string; count: number; first: AlarmSmsFacts },
  lang: 'ko' | 'en',
): { text: string } & SmsMeasure {
  const text =
    lang === 'ko'
      ? `[관제] ${o.siteNameKo ?? o.siteName} 경보폭주 ${o.count}건. 최초 ${TYPE_KO[o.first.type] ?? o.first.type} ${reading(o.first)} ${kstClock(o.first.raisedAt)} 확인 ${o.first.code}`
      : `[Gwanje] ${o.siteName} alarm flood: ${o.count} alarms. First ${o.first.type} ${reading(o.first)} ${kstClock(o.first.raisedAt)} ACK ${o.first.code}`;
  const clean = text.replace(/\s+/g, ' ').trim();
  return { text: clean, ...measureSms(clean) };
}

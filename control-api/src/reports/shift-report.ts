/**
 * The shift report (issue 21): a printable summary of one shift for the supervisor handing over
 * and for the file: alarms by site and priority, response times (raise to acknowledgement, the
 * ISA-18.2 clause 16.5 "operator response" figure), the EEMUA 191 KPIs, who was on duty, the SMS
 * traffic and the items still open. Pure: data in, one self-contained HTML page out (inline
 * print CSS, no scripts, no external resources), in Korean or English.
 */
import type { Alarm } from '@gwanje/protocol';
import type { KpiResponse } from '@gwanje/protocol/schemas/escalation.js';

export type ReportLang = 'ko' | 'en';

export interface ShiftReportData {
  lang: ReportLang;
  from: number;
  to: number;
  /** Minutes east of UTC for printed times (Korea: 540). */
  utcOffsetMin: number;
  generatedAt: number;
  generatedBy: string;
  sites: { siteId: string; name: string }[];
  /** Alarms raised within [from, to). */
  raised: Alarm[];
  /** Alarms not closed at generation time, raised before `to`. */
  open: Alarm[];
  kpis: KpiResponse;
  onDuty: { role: string; name?: string; start: number; end: number; contacts: string[] }[];
  sms: Record<string, number>;
}

const TEXT = {
  en: {
    title: 'Shift report',
    period: 'Shift',
    sites: 'Sites',
    generated: 'Generated',
    by: 'by',
    bySite: 'Alarms by site and priority',
    site: 'Site',
    total: 'Total',
    response: 'Response times (raise → acknowledgement)',
    priority: 'Priority',
    raised: 'Raised',
    acked: 'Acknowledged',
    median: 'Median',
    p90: '90th percentile',
    max: 'Longest',
    kpis: 'Alarm system performance (EEMUA 191)',
    activations: 'Annunciated alarms',
    avg10: 'Average per 10 min',
    peak10: 'Peak per 10 min',
    flood: 'Time in flood',
    standing: 'Standing alarms (> 24 h)',
    chatter: 'Chattering sources',
    none: 'None',
    duty: 'On duty',
    role: 'Role',
    who: 'Who',
    when: 'When',
    sms: 'SMS notifications',
    status: 'Status',
    count: 'Count',
    open: 'Open items',
    raisedAt: 'Raised',
    type: 'Type',
    source: 'Source',
    state: 'State',
    message: 'Message',
    signature: 'Handed over by / taken over by',
    p: { '1': '1 critical', '2': '2 high', '3': '3 medium', '4': '4 low' },
  },
  ko: {
    title: '근무 보고서',
    period: '근무 시간',
    sites: '관제센터',
    generated: '작성',
    by: '작성자',
    bySite: '관제센터·우선순위별 경보',
    site: '관제센터',
    total: '합계',
    response: '대응 시간 (발생 → 확인)',
    priority: '우선순위',
    raised: '발생',
    acked: '확인',
    median: '중앙값',
    p90: '90 백분위',
    max: '최장',
    kpis: '경보 시스템 성능 (EEMUA 191)',
    activations: '발생 경보 수',
    avg10: '10분당 평균',
    peak10: '10분당 최대',
    flood: '경보 폭주 시간 비율',
    standing: '장기 경보 (24시간 초과)',
    chatter: '채터링 발생원',
    none: '없음',
    duty: '근무자',
    role: '역할',
    who: '이름',
    when: '시간',
    sms: 'SMS 알림',
    status: '상태',
    count: '건수',
    open: '미결 항목',
    raisedAt: '발생 시각',
    type: '유형',
    source: '발생원',
    state: '상태',
    message: '내용',
    signature: '인계자 / 인수자',
    p: { '1': '1 긴급', '2': '2 높음', '3': '3 보통', '4': '4 낮음' },
  },
} as const;

const esc = (v: unknown): string =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** 'YYYY-MM-DD HH:MM' in the report's local time (fixed offset: Korea has no daylight saving). */
export function localTime(ts: number, offsetMin: number): string {
  return new Date(ts + offsetMin * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** Seconds as '42 s', '3 m 05 s', '2 h 10 m'. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

/** Nearest-rank percentile of sorted numbers. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const PRIORITIES = ['1', '2', '3', '4'] as const;

export interface ResponseRow {
  priority: (typeof PRIORITIES)[number];
  raised: number;
  acked: number;
  medianMs?: number;
  p90Ms?: number;
  maxMs?: number;
}

/** Raise-to-acknowledgement figures per priority of the alarms raised in the shift. */
export function responseTimes(raised: readonly Alarm[]): ResponseRow[] {
  return PRIORITIES.map((priority) => {
    const mine = raised.filter((a) => String(a.priority) === priority);
    const times = mine
      .filter((a) => a.ackedAt !== undefined && a.ackedAt >= a.raisedAt)
      .map((a) => (a.ackedAt as number) - a.raisedAt)
      .sort((x, y) => x - y);
    const row: ResponseRow = { priority, raised: mine.length, acked: times.length };
    if (times.length > 0) {
      row.medianMs = percentile(times, 50);
      row.p90Ms = percentile(times, 90);
      row.maxMs = times[times.length - 1];
    }
    return row;
  });
}

const table = (head: string[], rows: string[][], cls = ''): string =>
  `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` +
  `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;

const CSS = `
body{font:11pt/1.4 "Noto Sans KR","Malgun Gothic",system-ui,sans-serif;color:#111;margin:1.5cm}
h1{font-size:18pt;margin:0 0 .3em}h2{font-size:13pt;margin:1.2em 0 .4em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin:.3em 0}th,td{border:1px solid #999;padding:.2em .4em;text-align:left}
th{background:#eee}td.n{text-align:right}.meta{color:#333}.sig{margin-top:2em;height:3em;border-bottom:1px solid #000}
@page{size:A4;margin:1.5cm}@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}`;

export function renderShiftReport(d: ShiftReportData): string {
  const t = TEXT[d.lang];
  const at = (ts: number) => esc(localTime(ts, d.utcOffsetMin));
  const name = new Map(d.sites.map((s) => [s.siteId, s.name]));
  const n = (v: number) => `${v}`;
  const bySite = d.sites.map((s) => {
    const mine = d.raised.filter((a) => a.siteId === s.siteId);
    const counts = PRIORITIES.map((p) => mine.filter((a) => String(a.priority) === p).length);
    return [esc(s.name), ...counts.map(n), n(mine.length)];
  });
  const totals = PRIORITIES.map((p) => d.raised.filter((a) => String(a.priority) === p).length);
  bySite.push([`<b>${esc(t.total)}</b>`, ...totals.map(n), n(d.raised.length)]);
  const resp = responseTimes(d.raised).map((r) => [
    esc(t.p[r.priority]),
    n(r.raised),
    n(r.acked),
    r.medianMs === undefined ? '–' : esc(duration(r.medianMs)),
    r.p90Ms === undefined ? '–' : esc(duration(r.p90Ms)),
    r.maxMs === undefined ? '–' : esc(duration(r.maxMs)),
  ]);
  const k = d.kpis;
  const kpiRows = [
    [esc(t.activations), n(k.activations)],
    [esc(t.avg10), k.alarmsPer10Min.average.toFixed(2)],
    [esc(t.peak10), n(k.alarmsPer10Min.peak)],
    [esc(t.flood), `${k.percentTimeInFlood.toFixed(1)} %`],
    [esc(t.standing), n(k.standing.count)],
  ];
  const chatter = k.topChattering.map((c) => [
    esc(name.get(c.siteId) ?? c.siteId),
    esc(c.sourceId),
    esc(c.type),
    n(c.activations),
  ]);
  const duty = d.onDuty.map((s) => [
    esc(s.name ? `${s.role} (${s.name})` : s.role),
    esc(s.contacts.join(', ') || '–'),
    `${at(s.start)} – ${at(s.end)}`,
  ]);
  const sms = Object.entries(d.sms).map(([status, count]) => [esc(status), n(count)]);
  const open = d.open.map((a) => [
    at(a.raisedAt),
    esc(name.get(a.siteId) ?? a.siteId),
    esc(t.p[String(a.priority) as '1']),
    esc(a.type),
    esc(a.sourceId),
    esc(a.state),
    esc(a.message),
  ]);
  const none = `<p>${esc(t.none)}</p>`;
  return `<!doctype html><html lang="${d.lang}"><head><meta charset="utf-8"><title>${esc(t.title)} ${at(d.from)}</title><style>${CSS}</style></head><body>
<h1>${esc(t.title)}</h1>
<p class="meta">${esc(t.period)}: <b>${at(d.from)} – ${at(d.to)}</b> (UTC${d.utcOffsetMin >= 0 ? '+' : '-'}${Math.abs(d.utcOffsetMin / 60)})<br>
${esc(t.sites)}: ${esc(d.sites.map((s) => s.name).join(', '))}<br>
${esc(t.generated)}: ${at(d.generatedAt)} · ${esc(t.by)} ${esc(d.generatedBy)}</p>
<h2>${esc(t.bySite)}</h2>${table([t.site, ...PRIORITIES.map((p) => t.p[p]), t.total], bySite, 'by-site')}
<h2>${esc(t.response)}</h2>${table([t.priority, t.raised, t.acked, t.median, t.p90, t.max], resp, 'response')}
<h2>${esc(t.kpis)}</h2>${table(['', ''], kpiRows, 'kpis')}
<h3>${esc(t.chatter)}</h3>${chatter.length ? table([t.site, t.source, t.type, t.activations], chatter) : none}
<h2>${esc(t.duty)}</h2>${duty.length ? table([t.role, t.who, t.when], duty, 'duty') : none}
<h2>${esc(t.sms)}</h2>${sms.length ? table([t.status, t.count], sms, 'sms') : none}
<h2>${esc(t.open)}</h2>${open.length ? table([t.raisedAt, t.site, t.priority, t.type, t.source, t.state, t.message], open, 'open') : none}
<h2>${esc(t.signature)}</h2><div class="sig"></div>
</body></html>`;
}

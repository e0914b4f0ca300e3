/**
 * The human-readable report of an evidence bundle (issue 21): one self-contained HTML page in
 * Korean or English that an inquiry, the fire service or the police can read without Gwanje:
 * what was raised where and when, who did what (the journal), who was notified, what the sensor
 * read, which media are attached, and every file's SHA-256 as in the signed manifest.
 * Pure: the bundle builder gives it everything; all text is HTML-escaped.
 */

import type { EvidenceFile } from '@gwanje/firmware-config';
import type { Alarm, JournalEntry } from '@gwanje/protocol';

export type ReportLang = 'ko' | 'en';

const TEXT = {
  en: {
    title: 'Incident evidence report',
    alarm: 'Alarm',
    site: 'Site',
    source: 'Source',
    type: 'Type',
    priority: 'Priority',
    state: 'State now',
    raised: 'Raised',
    cleared: 'Returned to normal',
    acked: 'Acknowledged',
    value: 'Value / setpoint',
    message: 'Message',
    journal: 'Journal (who did what)',
    time: 'Time',
    action: 'Action',
    actor: 'By',
    change: 'State change',
    note: 'Note',
    notifications: 'Notifications (SMS)',
    contact: 'Contact',
    status: 'Status',
    sent: 'Submitted',
    delivered: 'Delivered',
    none: 'None',
    trace: 'Sensor trace',
    traceSummary: (n: number, min: string, max: string, bad: number) =>
      `${n} readings, lowest ${min}, highest ${max}; ${bad} flagged fault or stale (full list in the CSV).`,
    media: 'Snapshot and clips',
    masked: 'Faces in these images and clips were masked for hand-over to third parties.',
    unmasked: 'Unmasked originals: personal information (PIPA); hand over only as the law allows.',
    files: 'Files and SHA-256 (as signed in manifest.json)',
    verify: 'To verify this bundle offline:',
    made: (by: string, at: string, key: string) =>
      `Made by ${by} on ${at}; manifest signed with the center key ${key}.`,
    priorities: ['', '1 critical', '2 high', '3 medium', '4 low'],
  },
  ko: {
    title: '사고 증거 보고서',
    alarm: '경보',
    site: '관제센터',
    source: '발생원',
    type: '유형',
    priority: '우선순위',
    state: '현재 상태',
    raised: '발생',
    cleared: '정상 복귀',
    acked: '확인',
    value: '측정값 / 설정값',
    message: '메시지',
    journal: '처리 이력 (누가 무엇을)',
    time: '시각',
    action: '조치',
    actor: '처리자',
    change: '상태 변화',
    note: '비고',
    notifications: '통보 (SMS)',
    contact: '연락처',
    status: '상태',
    sent: '발송',
    delivered: '수신 확인',
    none: '없음',
    trace: '센서 기록',
    traceSummary: (n: number, min: string, max: string, bad: number) =>
      `측정 ${n}건, 최저 ${min}, 최고 ${max}; 고장·지연 표시 ${bad}건 (전체 목록은 CSV).`,
    media: '스냅샷 및 영상',
    masked: '제3자 제공을 위해 이 이미지와 영상의 얼굴은 가려져 있습니다.',
    unmasked: '가리지 않은 원본: 개인정보(개인정보 보호법)이므로 법이 허용하는 범위에서만 제공하십시오.',
    files: '파일과 SHA-256 (manifest.json 서명 내용과 동일)',
    verify: '이 묶음을 오프라인으로 검증하려면:',
    made: (by: string, at: string, key: string) => `${at} ${by} 작성; 매니페스트는 센터 키 ${key}로 서명됨.`,
    priorities: ['', '1 긴급', '2 높음', '3 보통', '4 낮음'],
  },
} as const;

const esc = (v: unknown): string =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

export interface ReportInput {
  lang: ReportLang;
  timeZone: string;
  alarm: Alarm;
  journal: JournalEntry[];
  siteName: string;
  unit?: string;
  notifications: { contact: string; status: string; submittedAt?: number | null; deliveredAt?: number | null }[];
  trace: { count: number; min?: number; max?: number; bad: number; file?: string };
  media: { path: string; kind: 'snapshot' | 'clip'; cameraId: string }[];
  files: EvidenceFile[];
  masked: boolean;
  createdAt: number;
  createdBy: string;
  keyId: string;
}

export function renderReport(r: ReportInput): string {
  const t = TEXT[r.lang];
  const fmt = new Intl.DateTimeFormat(r.lang === 'ko' ? 'ko-KR' : 'en-GB', {
    timeZone: r.timeZone,
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
  const when = (ms: number | null | undefined) => (ms ? `${fmt.format(ms)} (${r.timeZone})` : '–');
  const a = r.alarm;
  const num = (v: number | undefined) => (v === undefined ? '–' : `${v}${r.unit ? ` ${r.unit}` : ''}`);
  const row = (k: string, v: string) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`;
  const facts = [
    row(t.alarm, esc(a.id)),
    row(t.site, esc(`${r.siteName} (${a.siteId})`)),
    row(t.source, esc(`${a.sourceId} (${a.sourceKind})`)),
    row(t.type, esc(a.type)),
    row(t.priority, esc(t.priorities[a.priority] ?? a.priority)),
    row(t.state, esc(a.state)),
    row(t.raised, esc(when(a.raisedAt))),
    row(t.acked, esc(a.ackedAt ? `${when(a.ackedAt)} – ${a.ackedBy ?? ''}` : '–')),
    row(t.cleared, esc(when(a.clearedAt))),
    row(t.value, esc(`${num(a.value)} / ${num(a.threshold)}`)),
    row(t.message, esc(a.message)),
  ].join('');
  const journal = r.journal
    .map(
      (j) =>
        `<tr><td>${esc(when(j.ts))}</td><td>${esc(j.action)}</td><td>${esc(j.actor)}</td>` +
        `<td>${esc(j.fromState && j.toState ? `${j.fromState} → ${j.toState}` : '')}</td><td>${esc(j.comment ?? '')}</td></tr>`,
    )
    .join('');
  const notes = r.notifications
    .map(
      (n) =>
        `<tr><td>${esc(n.contact)}</td><td>${esc(n.status)}</td><td>${esc(when(n.submittedAt))}</td><td>${esc(when(n.deliveredAt))}</td></tr>`,
    )
    .join('');
  const trace =
    r.trace.count === 0
      ? `<p>${esc(t.none)}</p>`
      : `<p>${esc(t.traceSummary(r.trace.count, num(r.trace.min), num(r.trace.max), r.trace.bad))}</p>` +
        (r.trace.file ? `<p><a href="${esc(r.trace.file)}">${esc(r.trace.file)}</a></p>` : '');
  const media =
    r.media.length === 0
      ? `<p>${esc(t.none)}</p>`
      : r.media
          .map((m) =>
            m.kind === 'snapshot'
              ? `<figure><img src="${esc(m.path)}" alt="${esc(m.cameraId)}"><figcaption>${esc(m.cameraId)} – ${esc(m.path)}</figcaption></figure>`
              : `<figure><video src="${esc(m.path)}" controls></video><figcaption>${esc(m.cameraId)} – ${esc(m.path)}</figcaption></figure>`,
          )
          .join('');
  const files = r.files
    .map((f) => `<tr><td>${esc(f.path)}</td><td>${f.bytes}</td><td><code>${esc(f.sha256)}</code></td></tr>`)
    .join('');
  const table = (head: string[], body: string) =>
    body
      ? `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`
      : `<p>${esc(t.none)}</p>`;
  return `<!doctype html>
<html lang="${r.lang}"><head><meta charset="utf-8"><title>${esc(t.title)} – ${esc(a.id)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}img,video{max-width:100%}
code{font-size:.85em;word-break:break-all}.note{background:#fff3cd;padding:.5em}</style></head>
<body><h1>${esc(t.title)}</h1>
<p>${esc(t.made(r.createdBy, when(r.createdAt), r.keyId))}</p>
<table>${facts}</table>
<h2>${esc(t.journal)}</h2>${table([t.time, t.action, t.actor, t.change, t.note], journal)}
<h2>${esc(t.notifications)}</h2>${table([t.contact, t.status, t.sent, t.delivered], notes)}
<h2>${esc(t.trace)}</h2>${trace}
<h2>${esc(t.media)}</h2><p class="note">${esc(r.masked ? t.masked : t.unmasked)}</p>${media}
<h2>${esc(t.files)}</h2>${table(['file', 'bytes', 'SHA-256'], files)}
<p>${esc(t.verify)} <code>gwanje-config verify-evidence &lt;bundle.zip&gt; --key &lt;center-public-key.pem&gt;</code></p>
</body></html>
`;
}

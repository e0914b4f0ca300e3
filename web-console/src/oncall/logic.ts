/** Pure helpers for the on-call display (issue 8: "who is on duty now ... shown in the console"). */

export type { OnCallContact, OnCallDuty, OnCallRoster } from '@gwanje/protocol/schemas/routes.js';

import type { OnCallContact, OnCallRoster } from '@gwanje/protocol/schemas/routes.js';

/**
 * Viewers see a phone number with its middle digits hidden (010-****-5678): enough to recognise
 * a colleague, not enough to harvest the roster. Supervisors and above dial it, so they see it all.
 */
export function maskPhone(phone: string, full: boolean): string {
  if (full) return phone;
  const digits = phone.replace(/\D/g, '').length;
  let seen = 0;
  return phone.replace(/\d/g, (d) => {
    seen += 1;
    return seen <= 3 || seen > digits - 4 ? d : '*';
  });
}

/** Everyone on duty now, one entry per role and contact, for the compact header list. */
export function onDutyNow(rosters: OnCallRoster[]): { role: string; contact: OnCallContact; until?: number }[] {
  const out: { role: string; contact: OnCallContact; until?: number }[] = [];
  const seen = new Set<string>();
  for (const r of rosters)
    for (const d of r.duty)
      for (const c of d.contacts ?? []) {
        const key = `${d.role}/${c.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ role: d.role, contact: c, ...(d.until !== undefined ? { until: d.until } : {}) });
      }
  return out;
}

/**
 * SOP checklists for supervisors (issue 21, route #/sops): per alarm type and site, or for every
 * site (callers with every site), the steps an operator ticks in the alarm drawer. Each step keeps
 * its id once saved, so ticks already in journals still name it.
 */

import { RULE_TYPE_INFO, RULE_TYPES } from '@gwanje/protocol/safety';
import { ALARM_TYPES } from '@gwanje/protocol/schemas/alarm-vocab.js';
import type { SopStep } from '@gwanje/protocol/schemas/plan.js';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { apiErrorText } from '../api/errors.js';
import { mutate } from '../api/http.js';
import { useApi } from '../api/useApi.js';

const ALL = '*';
/** The form opens on the first priority-1 rule type of the safety table (the gas alarm operators drill most). */
const FIRST_TYPE = RULE_TYPES.find((t) => RULE_TYPE_INFO[t].priority === 1) ?? RULE_TYPES[0];

export function SopAdmin({ allSites }: { allSites: boolean }) {
  const { t, i18n } = useTranslation();
  const { sites } = useCatalog();
  const list = useApi('/sops');
  const [siteId, setSiteId] = useState<string>(allSites ? ALL : '');
  const [type, setType] = useState<string>(FIRST_TYPE);
  const [steps, setSteps] = useState<SopStep[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const site = siteId || sites[0]?.siteId || '';
  const current = (list.data ?? []).find((c) => (c.siteId ?? ALL) === site && c.alarmType === type);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the form follows the selection and the saved list
  useEffect(() => setSteps(current?.steps ?? []), [site, type, list.data]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a message belongs to the selection it was about
  useEffect(() => setStatus(null), [site, type]);

  const newId = (): string => {
    const used = new Set(steps.map((s) => s.id));
    let n = steps.length + 1;
    while (used.has(`step-${n}`)) n++;
    return `step-${n}`;
  };
  const save = async () => {
    try {
      await mutate('PUT /sops', {
        body: {
          siteId: site === ALL ? null : site,
          alarmType: type,
          steps: steps.filter((s) => s.text.trim()).map((s) => ({ id: s.id, text: s.text.trim() })),
        },
      });
      setStatus(t('sop.saved'));
      list.reload();
    } catch (err) {
      setStatus(`${t('sop.saveFailed')}: ${apiErrorText(err, t)}`);
    }
  };

  return (
    <section className="sop-admin admin-section" aria-label={t('sop.adminTitle')} data-sop-admin>
      <h2>{t('sop.adminTitle')}</h2>
      <p className="muted">{t('sop.adminHint')}</p>
      <div className="row">
        <label>
          {t('plan.site')}{' '}
          <select value={site} onChange={(e) => setSiteId(e.target.value)} data-sop-site>
            {allSites && <option value={ALL}>{t('sop.everySite')}</option>}
            {sites.map((s) => (
              <option key={s.siteId} value={s.siteId}>
                {siteName(s, s.siteId, i18n.language)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('detail.type')}{' '}
          <select value={type} onChange={(e) => setType(e.target.value)} data-sop-type>
            {ALARM_TYPES.map((a) => (
              <option key={a} value={a}>
                {t(`alarmType.${a}`, { defaultValue: a })}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ol className="sop-edit">
        {steps.map((s, i) => (
          <li key={s.id}>
            <input
              aria-label={t('sop.stepText', { n: i + 1 })}
              value={s.text}
              maxLength={300}
              data-sop-text={i}
              onChange={(e) => setSteps(steps.map((x) => (x.id === s.id ? { ...x, text: e.target.value } : x)))}
            />
            <button
              type="button"
              aria-label={t('sop.up')}
              disabled={i === 0}
              onClick={() => setSteps(swap(steps, i, i - 1))}
            >
              ↑
            </button>
            <button
              type="button"
              aria-label={t('sop.down')}
              disabled={i === steps.length - 1}
              onClick={() => setSteps(swap(steps, i, i + 1))}
            >
              ↓
            </button>
            <button
              type="button"
              aria-label={t('sop.remove')}
              onClick={() => setSteps(steps.filter((x) => x.id !== s.id))}
            >
              ✕
            </button>
          </li>
        ))}
      </ol>
      <div className="row">
        <button type="button" onClick={() => setSteps([...steps, { id: newId(), text: '' }])} data-sop-add>
          ＋ {t('sop.add')}
        </button>
        <button type="button" onClick={() => void save()} data-sop-save>
          {t('sop.save')}
        </button>
      </div>
      {status && <p role="status">{status}</p>}
      {current && <p className="muted">{t('sop.lastChange', { by: current.updatedBy })}</p>}
    </section>
  );
}

function swap<T>(xs: T[], i: number, j: number): T[] {
  const out = [...xs];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

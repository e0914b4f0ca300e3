/**
 * The site's camera link radius on the plan screen (admin, issue 21): an alarm of a sensor with no
 * camera configured takes the cameras that see it, else those within this radius. Shown and
 * entered as a percentage of the plan's width (the API takes the fraction); "Default" returns the
 * site to the center's default. Refusals are shown in the operator's language.
 */
import type { SiteLayout } from '@gwanje/protocol/schemas/plan.js';
import { LINK_RADIUS_MAX, LINK_RADIUS_MIN } from '@gwanje/protocol/schemas/plan.js';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiErrorText } from '../api/errors.js';
import { mutate } from '../api/http.js';

const pct = (fraction: number) => Math.round(fraction * 1000) / 10;

export function LinkRadiusForm({ layout, onSaved }: { layout: SiteLayout; onSaved: () => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState(String(pct(layout.linkRadius)));
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const save = async (linkRadius: number | string | null) => {
    try {
      // A value that is not a number goes as typed: the center's 400 names the field and the rule.
      const r = await mutate('PUT /sites/:siteId/link-radius', {
        params: { siteId: layout.siteId },
        body: { linkRadius: linkRadius as number | null },
      });
      setValue(String(pct(r.linkRadius)));
      setStatus({ ok: true, text: t('plan.radius.saved', { radius: pct(r.linkRadius) }) });
      onSaved();
    } catch (err) {
      setStatus({ ok: false, text: `${t('plan.radius.failed')}: ${apiErrorText(err, t)}` });
    }
  };
  const custom = layout.defaultLinkRadius !== undefined && layout.linkRadius !== layout.defaultLinkRadius;
  return (
    <form
      className="stack"
      data-link-radius={layout.siteId}
      onSubmit={(e) => {
        e.preventDefault();
        // An empty or unreadable entry is sent as typed (never as null, which means "default"):
        // the center refuses it and the console says why.
        const n = value.trim() === '' ? Number.NaN : Number(value);
        void save(Number.isFinite(n) ? n / 100 : value);
      }}
    >
      <label>
        {t('plan.radius.label')}{' '}
        <input
          type="number"
          step="any"
          min={pct(LINK_RADIUS_MIN)}
          max={pct(LINK_RADIUS_MAX)}
          name="linkRadius"
          value={value}
          aria-invalid={status?.ok === false}
          onChange={(e) => setValue(e.target.value)}
        />{' '}
        %
      </label>
      <p className="muted">
        {custom ? t('plan.radius.custom', { radius: pct(layout.defaultLinkRadius ?? 0) }) : t('plan.radius.default')}
      </p>
      <div className="row">
        <button type="submit" data-link-radius-save>
          {t('plan.radius.save')}
        </button>
        <button type="button" onClick={() => void save(null)} data-link-radius-reset>
          {t('plan.radius.reset')}
        </button>
      </div>
      {status && (
        <p className={status.ok ? 'muted' : 'error'} role={status.ok ? 'status' : 'alert'} data-link-radius-status>
          {status.text}
        </p>
      )}
    </form>
  );
}

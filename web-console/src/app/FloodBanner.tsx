/**
 * Flood banner (ISA-18.2 / EEMUA 191: more than 10 alarms in 10 minutes per operator): names the
 * first-out alarm, the one most likely to be the cause, so it is not lost in the flood.
 */
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { useLive } from '../live/LiveProvider.js';

export function FloodBanner() {
  const { t, i18n } = useTranslation();
  const flood = useLive((s) => s.flood);
  const alarms = useLive((s) => s.alarms);
  const { siteById } = useCatalog();
  if (flood.size === 0) return null;
  return (
    <div className="flood-banner" role="alert">
      {[...flood.values()].map((f) => {
        const first = f.firstOutAlarmId ? alarms.get(f.firstOutAlarmId) : undefined;
        return (
          <p key={f.siteId} data-flood={f.siteId}>
            ⚠ {t('flood.active', { site: siteName(siteById.get(f.siteId), f.siteId, i18n.language), count: f.count })}
            {first && (
              <>
                {' — '}
                {t('flood.firstOut')}: <strong>{t(`alarmType.${first.type}`, { defaultValue: first.type })}</strong>{' '}
                {first.sourceId}
              </>
            )}
          </p>
        );
      })}
    </div>
  );
}

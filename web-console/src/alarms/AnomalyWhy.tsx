/**
 * Why an advisory anomaly alarm was raised (issue 22): the reading, the band the model expected
 * there, the reason and the calibrated score against the fixed threshold, from the alarm's
 * `anomaly` data, in the operator's language.
 */
import type { AnomalyExplanation } from '@gwanje/protocol/schemas/alarm.js';
import { useTranslation } from 'react-i18next';

/** Up to three decimals, no trailing zeros: 1.25, 0.6, 12. */
const num = (x: number): string => (Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : '—');

export function AnomalyWhy({ why }: { why: AnomalyExplanation }) {
  const { t } = useTranslation();
  const unit = why.unit ?? '';
  const low = why.expectedLow;
  const high = why.expectedHigh;
  const band =
    low !== undefined && high !== undefined
      ? t('anomalyWhy.between', { low: num(low), high: num(high), unit })
      : high !== undefined
        ? t('anomalyWhy.atMost', { high: num(high), unit })
        : low !== undefined
          ? t('anomalyWhy.atLeast', { low: num(low), unit })
          : '—';
  return (
    <section data-anomaly-why={why.reason}>
      <h3>{t('anomalyWhy.title')}</h3>
      <dl className="facts">
        <dt>{t('anomalyWhy.reading')}</dt>
        <dd data-anomaly-reading>
          {num(why.reading)} {unit}
        </dd>
        <dt>{t('anomalyWhy.expected')}</dt>
        <dd data-anomaly-expected>{band}</dd>
        <dt>{t('anomalyWhy.reason')}</dt>
        <dd data-anomaly-reason>{t(`anomalyWhy.reasons.${why.reason}`, { run: why.run ?? '' })}</dd>
        <dt>{t('anomalyWhy.score')}</dt>
        <dd>
          {num(why.score)} / {num(why.threshold)}
        </dd>
      </dl>
      <p className="muted">{t('anomalyWhy.advisory')}</p>
    </section>
  );
}

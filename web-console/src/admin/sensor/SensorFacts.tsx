/**
 * One sensor's configuration as the center knows it (issue 15: one source of truth, shown in the
 * console): measuring range and who set it, the agent's calibration, interval and config version,
 * the rules detection runs with their origin, configuration warnings, and out-of-service for
 * maintenance or a bump test (journaled by the center). A range may be set here only when the
 * agent reports none (a discovered sensor).
 */
import type { SensorConfigView } from '@gwanje/protocol/schemas/sensor-config.js';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../alarms/AlarmRow.js';
import { mutate } from '../../api/http.js';
import { type Explained, explain, FieldError } from './explain.js';

const num = (v: string): number | undefined => (v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

export function SensorFacts({
  sensor,
  onChanged,
}: {
  sensor: SensorConfigView;
  onChanged: (v: SensorConfigView) => void;
}) {
  const { t } = useTranslation();
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Explained>();
  const params = { sensorId: sensor.sensorId };
  const run = async (call: () => Promise<SensorConfigView>) => {
    setError(undefined);
    try {
      onChanged(await call());
      setReason('');
    } catch (err) {
      setError(explain(err, t));
    }
  };
  const agentRange = sensor.rangeSource === 'agent';
  const oos = sensor.outOfService;
  return (
    <div className="sensor-facts" data-sensor-facts={sensor.sensorId}>
      <dl className="facts">
        <dt>{t('safety.form.range')}</dt>
        <dd data-range>
          {sensor.range ? `${sensor.range.min}..${sensor.range.max} ${sensor.unit}` : t('safety.form.noRange')}
          {sensor.rangeSource && ` · ${t(agentRange ? 'safety.form.fromAgent' : 'safety.form.byAdmin')}`}
          {agentRange && sensor.configVersion && ` (${t('safety.form.version', { version: sensor.configVersion })})`}
        </dd>
        {sensor.calibration && (
          <>
            <dt>{t('safety.form.calibration')}</dt>
            <dd>{t('safety.form.zeroSpan', sensor.calibration)}</dd>
          </>
        )}
        {sensor.intervalMs !== undefined && (
          <>
            <dt>{t('safety.form.interval')}</dt>
            <dd>{t('safety.form.seconds', { n: sensor.intervalMs / 1000 })}</dd>
          </>
        )}
      </dl>
      {!agentRange && (
        <div className="form-grid">
          <input
            type="number"
            step="any"
            aria-label={t('safety.form.min')}
            placeholder={t('safety.form.min')}
            value={min}
            onChange={(e) => setMin(e.target.value)}
          />
          <input
            type="number"
            step="any"
            aria-label={t('safety.form.max')}
            placeholder={t('safety.form.max')}
            value={max}
            onChange={(e) => setMax(e.target.value)}
          />
          <button
            type="button"
            onClick={() =>
              // An empty bound goes as it is: the center's 400 names the field.
              run(() =>
                mutate('PATCH /sensors/:sensorId', {
                  params,
                  body: { range: { min: num(min) as number, max: num(max) as number } },
                }),
              )
            }
          >
            {t('safety.form.setRange')}
          </button>
          {sensor.range && (
            <button
              type="button"
              onClick={() => run(() => mutate('PATCH /sensors/:sensorId', { params, body: { range: null } }))}
            >
              {t('safety.form.clearRange')}
            </button>
          )}
        </div>
      )}
      {sensor.warnings.length > 0 && (
        <div className="warning" role="note" data-warnings={sensor.warnings.join(' ')}>
          <strong>{t('safety.form.warnings')}</strong>
          <ul className="sensor-warnings">
            {sensor.warnings.map((w) => (
              <li key={w}>{t(`safety.warning.${w}`, { gas: sensor.gas ?? '—', unit: sensor.unit })}</li>
            ))}
          </ul>
        </div>
      )}
      <h3>{t('safety.form.effective')}</h3>
      <table className="grid-table effective-rules">
        <thead>
          <tr>
            <th>{t('rules.type')}</th>
            <th>{t('rules.setpoint')}</th>
            <th>{t('rules.deadband')}</th>
            <th>{t('rules.onDelayMs')}</th>
            <th>{t('rules.offDelayMs')}</th>
            <th>{t('rules.priority')}</th>
            <th>{t('rules.latched')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sensor.effectiveRules.map((r) => (
            <tr key={r.type} data-effective={r.type} className={r.enabled ? undefined : 'muted'}>
              <td>{t(`alarmType.${r.type}`, { defaultValue: r.type })}</td>
              <td data-setpoint>{r.enabled ? r.setpoint : t('safety.form.off')}</td>
              <td>{r.deadband}</td>
              <td>{r.onDelayMs}</td>
              <td>{r.offDelayMs}</td>
              <td>P{r.priority}</td>
              <td>{r.latched ? t('rules.yes') : t('rules.no')}</td>
              <td data-origin={r.origin}>{t(`safety.form.origin.${r.origin}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="form-grid sensor-service">
        {oos && (
          <span role="status" data-out-of-service>
            {t('safety.form.outOfService', { time: formatTime(oos.since), actor: oos.actor, reason: oos.reason })}
          </span>
        )}
        {/* Out of service needs a reason (ISA-18.2: a deliberate, recorded act); the return takes an optional comment. */}
        <input
          aria-label={t(oos ? 'safety.form.comment' : 'safety.form.reason')}
          placeholder={t(oos ? 'safety.form.comment' : 'safety.form.reason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <button
          type="button"
          disabled={!oos && reason.trim() === ''}
          onClick={() =>
            oos
              ? run(() =>
                  mutate('POST /sensors/:sensorId/return-to-service', {
                    params,
                    body: reason ? { comment: reason } : {},
                  }),
                )
              : run(() => mutate('POST /sensors/:sensorId/out-of-service', { params, body: { reason } }))
          }
        >
          {t(oos ? 'safety.form.returnToService' : 'safety.form.takeOut')}
        </button>
      </div>
      <FieldError error={error} />
    </div>
  );
}

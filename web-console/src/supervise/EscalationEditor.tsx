/**
 * Escalation policies and rosters (issue 8 API, issue 21 screen): each edited in a form generated
 * from its protocol schema, saved with PUT; a refusal marks the field the center names and says
 * why. Policies are an admin's (the API refuses others), rosters a supervisor's.
 */
import { PoliciesBody, type PolicyDoc, type RosterDoc, RostersBody } from '@gwanje/protocol/schemas/escalation.js';
import type { TSchema } from '@sinclair/typebox';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiErrorText } from '../api/errors.js';
import { ApiError, mutate } from '../api/http.js';
import { useApi } from '../api/useApi.js';
import { SchemaForm } from './SchemaForm.js';
import { ShiftCalendar } from './ShiftCalendar.js';

function DocEditor({
  path,
  schema,
  title,
  canEdit,
  onSaved,
}: {
  path: '/escalation/rosters' | '/escalation/policies';
  schema: TSchema;
  title: string;
  canEdit: boolean;
  onSaved?: () => void;
}) {
  const { t } = useTranslation();
  const current = useApi(path);
  const [value, setValue] = useState<unknown>(undefined);
  const [error, setError] = useState<{ field: string; message: string }>();
  const [status, setStatus] = useState<string>();
  useEffect(() => {
    if (current.data) setValue(current.data);
  }, [current.data]);
  const save = async () => {
    setStatus(undefined);
    setError(undefined);
    try {
      // The editor holds what the operator typed; the center's 400 names any field that is wrong.
      const saved =
        path === '/escalation/rosters'
          ? await mutate('PUT /escalation/rosters', { body: value as RosterDoc[] })
          : await mutate('PUT /escalation/policies', { body: value as PolicyDoc[] });
      setValue(saved);
      setStatus(t('sup.common.saved'));
      onSaved?.();
    } catch (err) {
      const text = apiErrorText(err, t);
      if (err instanceof ApiError && err.field) setError({ field: err.field, message: text });
      setStatus(t('sup.esc.refused', { message: text }));
    }
  };
  return (
    <section className="admin-card" data-editor={path}>
      <h2>{title}</h2>
      {!canEdit && <p className="hint">{t('sup.esc.readOnly')}</p>}
      {current.error && <p className="error">{current.error}</p>}
      {value === undefined ? (
        <p>{t('sup.common.loading')}</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <SchemaForm schema={schema} value={value} onChange={setValue} error={error} readOnly={!canEdit} />
          {canEdit && <button type="submit">{t('sup.common.save')}</button>}
          {status && (
            <p className={error ? 'error' : 'ok'} role="status" data-save-status>
              {status}
            </p>
          )}
        </form>
      )}
    </section>
  );
}

export function EscalationEditor({ isAdmin }: { isAdmin: boolean }) {
  const { t } = useTranslation();
  const [rev, setRev] = useState(0);
  return (
    <div className="supervise-grid">
      <ShiftCalendar key={rev} />
      <DocEditor
        path="/escalation/rosters"
        schema={RostersBody}
        title={t('sup.esc.rosters')}
        canEdit
        onSaved={() => setRev((n) => n + 1)}
      />
      <DocEditor path="/escalation/policies" schema={PoliciesBody} title={t('sup.esc.policies')} canEdit={isAdmin} />
    </div>
  );
}

/**
 * Issue 21: stable reasons of the API's refusals, so a console shows them in the operator's
 * language. An error body keeps `code` and `message` (CONTRACT "Errors", unchanged, English) and
 * adds `reason` (one of these) and `params` (the values the sentence needs). The console keeps one
 * sentence per reason in each language (web-console i18n `apiError.*`), checked by its tests.
 * A reason names what went wrong for the user, not where in the code: the same reason serves
 * every route where the same thing can go wrong.
 */
export const API_ERROR_REASONS = {
  // Any form: a field the schema refuses, a query parameter, a range of time.
  'field-invalid': ['field'],
  'field-required': ['field'],
  'query-unknown': ['field'],
  'number-out-of-range': ['field', 'min', 'max'],
  'time-order': [],
  'time-span': ['days'],
  // What the request names does not exist (or is outside the caller's sites: same answer).
  'site-unknown': ['siteId'],
  'alarm-unknown': ['alarmId'],
  'sensor-unknown': ['sensorId'],
  'camera-unknown': ['cameraId'],
  'agent-unknown': ['agentId'],
  'site-outside-scope': ['siteId'],
  // Site plans.
  'plan-empty': [],
  'plan-too-large': ['max'],
  'plan-type': [],
  'plan-unreadable': ['kind'],
  'plan-dimensions': ['width', 'height', 'max'],
  'plan-pdf-unsupported': [],
  'plan-pdf-page': ['page'],
  'plan-unknown': ['siteId'],
  'position-unknown': ['id'],
  // SOP checklists.
  'sop-step-duplicate': ['id'],
  'sop-step-unknown': ['step'],
  'sop-everywhere-needs-all-sites': [],
  // Escalation policies and rosters (supervisor screens).
  'contact-user-unknown': ['username'],
  'contact-cannot-ack': ['username', 'role'],
  'contact-sites-short': ['username', 'roster'],
  'contact-phone-mismatch': ['username'],
  'scope-beyond-sites': ['id'],
  // Config push (supervisor screens).
  'config-agent-mismatch': ['expected'],
  'config-site-mismatch': ['expected'],
  'config-invalid': ['detail'],
  // Several center instances (issue 19): the site's owner is gone and none took it over yet.
  'no-owner': ['siteId'],
  // Commands to an edge agent (PTZ, streams): offline, or no answer in time.
  'agent-offline': ['agentId'],
  'agent-no-answer': ['agentId'],
  // Exports and reports.
  'language-unknown': [],
  'masking-unavailable': [],
  'feature-unavailable': [],
} as const satisfies Record<string, readonly string[]>;

export type ApiErrorReason = keyof typeof API_ERROR_REASONS;

/** A refusal's reason and the values its sentence needs. */
export interface ApiErrorWhy {
  reason: ApiErrorReason;
  params?: Record<string, string | number>;
}

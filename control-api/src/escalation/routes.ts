/**
 * HTTP for escalation: SMS gateway callbacks (Kannel MO/DLR with a shared key, Twilio webhooks
 * with X-Twilio-Signature; no bearer token possible there) and the authenticated API for
 * policies, rosters, "who is on duty now" and an alarm's notification journal.
 */
import { check, ValidationError } from '@gwanje/protocol';
import express, { type RequestHandler, type Router } from 'express';
import type { EscalationPolicy } from './policy.js';
import type { KannelProvider } from './providers/kannel.js';
import type { TwilioProvider } from './providers/twilio.js';
import type { Roster } from './roster.js';
import { PoliciesBody, RostersBody } from './schemas.js';
import type { EscalationService } from './service.js';

export interface EscalationRouteDeps {
  service: EscalationService;
  kannel?: KannelProvider;
  twilio?: TwilioProvider;
  /** Middleware that authenticates and checks a permission (from the security layer). */
  guard(permission: 'watch' | 'rosters' | 'admin'): RequestHandler;
  /** Whether the request's user may see a site (per-site scope). */
  mayAccessSite?(req: express.Request, siteId: string): boolean;
}

const flat = (q: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(q).filter(([, v]) => typeof v === 'string')) as Record<string, string>;

function badRequest(res: express.Response, err: unknown): void {
  const message = err instanceof ValidationError ? err.errors.join('; ') : (err as Error).message;
  res.status(400).json({ error: { code: 'bad-request', message } });
}

/** Callbacks from SMS gateways: mount before the bearer-token middleware. */
export function smsCallbackRouter(d: EscalationRouteDeps): Router {
  const r = express.Router();
  r.get('/api/v1/sms/kannel/mo', (req, res) => {
    if (!d.kannel?.handleMo(req.query)) return void res.status(403).end();
    res.status(200).type('text/plain').send('');
  });
  r.get('/api/v1/sms/kannel/dlr', (req, res) => {
    if (!d.kannel?.handleDlr(req.query)) return void res.status(403).end();
    res.status(200).type('text/plain').send('');
  });
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  r.post('/api/v1/sms/twilio/status', form, (req, res) => {
    if (!d.twilio?.handleStatus(flat(req.body ?? {}), req.get('x-twilio-signature'))) return void res.status(403).end();
    res.status(204).end();
  });
  r.post('/api/v1/sms/twilio/inbound', form, (req, res) => {
    if (!d.twilio?.handleInbound(flat(req.body ?? {}), req.get('x-twilio-signature')))
      return void res.status(403).end();
    res.status(200).type('text/xml').send('<Response/>');
  });
  return r;
}

/** Authenticated escalation API. */
export function escalationApiRouter(d: EscalationRouteDeps): Router {
  const r = express.Router();
  const json = express.json({ limit: '256kb' });
  r.get('/api/v1/oncall', d.guard('watch'), (req, res) => {
    const siteId = typeof req.query.siteId === 'string' ? req.query.siteId : undefined;
    if (siteId && d.mayAccessSite && !d.mayAccessSite(req, siteId))
      return void res
        .status(403)
        .json({ error: { code: 'forbidden', message: `site ${siteId} is outside your scope` } });
    res.json(d.service.dutyNow(siteId));
  });
  r.get('/api/v1/escalation/policies', d.guard('rosters'), (_req, res) => void res.json(d.service.getPolicies()));
  r.put('/api/v1/escalation/policies', d.guard('admin'), json, async (req, res) => {
    try {
      await d.service.setPolicies(check(PoliciesBody, req.body) as EscalationPolicy[]);
      res.json(d.service.getPolicies());
    } catch (err) {
      badRequest(res, err);
    }
  });
  r.get('/api/v1/escalation/rosters', d.guard('rosters'), (_req, res) => void res.json(d.service.getRosters()));
  r.put('/api/v1/escalation/rosters', d.guard('rosters'), json, async (req, res) => {
    try {
      await d.service.setRosters(check(RostersBody, req.body) as Roster[]);
      res.json(d.service.getRosters());
    } catch (err) {
      badRequest(res, err);
    }
  });
  r.get('/api/v1/alarms/:id/notifications', d.guard('watch'), async (req, res) => {
    res.json(await d.service.notifications(String(req.params.id)));
  });
  return r;
}

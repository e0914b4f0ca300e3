/**
 * SMS gateway callbacks (Kannel MO/DLR with a shared key, Twilio webhooks with
 * X-Twilio-Signature): the unauthenticated half of escalation HTTP, since gateways cannot send a
 * bearer token. The authenticated API (policies, rosters, on-call, notifications) is in
 * http/routes/escalation.ts with every other route.
 */
import express, { type Router } from 'express';
import type { KannelProvider } from './providers/kannel.js';
import type { TwilioProvider } from './providers/twilio.js';

export interface SmsCallbackDeps {
  kannel?: KannelProvider;
  twilio?: TwilioProvider;
}

const flat = (q: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(q).filter(([, v]) => typeof v === 'string')) as Record<string, string>;

/** Callbacks from SMS gateways: mount before the bearer-token middleware. */
export function smsCallbackRouter(d: SmsCallbackDeps): Router {
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

/**
 * Twilio Programmable Messaging over REST (base URL configurable so tests run against a local
 * server): POST /2010-04-01/Accounts/{sid}/Messages.json with HTTP Basic auth, a StatusCallback
 * for delivery, and inbound replies through the messaging webhook. Webhooks are checked with
 * Twilio's X-Twilio-Signature (HMAC-SHA1 over the URL followed by the sorted POST parameters).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OutboundSms, SendResult, SmsEvents, SmsProvider } from './types.js';
import { ProviderError } from './types.js';

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  from: string;
  baseUrl?: string;
  /** Public base of this center, for StatusCallback. */
  callbackBase: string;
  timeoutMs?: number;
}

export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((k) => k + params[k])
      .join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export class TwilioProvider implements SmsProvider {
  readonly name = 'twilio';
  private events?: SmsEvents;

  constructor(private readonly opts: TwilioOptions) {}

  async start(events: SmsEvents): Promise<void> {
    this.events = events;
  }

  async stop(): Promise<void> {
    this.events = undefined;
  }

  statusCallbackUrl(): string {
    return new URL('/api/v1/sms/twilio/status', this.opts.callbackBase).toString();
  }

  inboundUrl(): string {
    return new URL('/api/v1/sms/twilio/inbound', this.opts.callbackBase).toString();
  }

  async send(msg: OutboundSms): Promise<SendResult> {
    const base = this.opts.baseUrl ?? 'https://api.twilio.com';
    const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(this.opts.accountSid)}/Messages.json`;
    const body = new URLSearchParams({
      To: msg.to,
      From: this.opts.from,
      Body: msg.text,
      StatusCallback: this.statusCallbackUrl(),
    });
    const auth = Buffer.from(`${this.opts.accountSid}:${this.opts.authToken}`).toString('base64');
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new ProviderError(this.name, `API unreachable: ${(err as Error).message}`);
    }
    const json = (await res.json().catch(() => ({}))) as { sid?: string; message?: string };
    if (res.status >= 300 || !json.sid)
      throw new ProviderError(this.name, `API refused (${res.status}): ${json.message ?? ''}`);
    return { provider: this.name, messageId: `twilio:${json.sid}` };
  }

  private verified(url: string, params: Record<string, string>, signature: string | undefined): boolean {
    if (!signature) return false;
    const want = Buffer.from(twilioSignature(this.opts.authToken, url, params));
    const got = Buffer.from(signature);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  handleStatus(params: Record<string, string>, signature: string | undefined): boolean {
    if (!this.verified(this.statusCallbackUrl(), params, signature)) return false;
    const s = params.MessageStatus;
    const status = s === 'delivered' ? 'delivered' : s === 'failed' || s === 'undelivered' ? 'failed' : 'accepted';
    this.events?.report({ provider: this.name, messageId: `twilio:${params.MessageSid}`, status, detail: s });
    return true;
  }

  handleInbound(params: Record<string, string>, signature: string | undefined): boolean {
    if (!this.verified(this.inboundUrl(), params, signature)) return false;
    this.events?.inbound({ provider: this.name, from: params.From ?? '', to: params.To, text: params.Body ?? '' });
    return true;
  }
}

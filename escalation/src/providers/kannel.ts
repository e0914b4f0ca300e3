/**
 * Kannel (open-source carrier SMS gateway) over its smsbox HTTP interface:
 * MT by `GET /cgi-bin/sendsms` (answer "0: Accepted for delivery"), delivery reports by the
 * `dlr-url` Kannel calls back (dlr-mask 31: 1 delivered, 2 undelivered, 4 buffered, 8 SMSC
 * accepted, 16 SMSC rejected), and MO replies through an sms-service `get-url` pointing at
 * Gwanje. Both callbacks carry a shared key since Kannel cannot send a bearer token.
 */
import type { DeliveryReport, OutboundSms, SendResult, SmsEvents, SmsProvider } from './types.js';
import { ProviderError } from './types.js';

export interface KannelOptions {
  /** e.g. http://127.0.0.1:13013/cgi-bin/sendsms */
  sendsmsUrl: string;
  username: string;
  password: string;
  /** Sender number shown on phones. */
  from: string;
  /** Public base of this center as Kannel reaches it, e.g. http://10.0.0.2:8080 */
  callbackBase: string;
  /** Shared secret Kannel puts in callback URLs (configure the same in kannel.conf get-url). */
  callbackKey: string;
  timeoutMs?: number;
}

const DLR_STATUS: Record<number, DeliveryReport['status']> = {
  1: 'delivered',
  2: 'failed',
  4: 'buffered',
  8: 'accepted',
  16: 'failed',
};

export class KannelProvider implements SmsProvider {
  readonly name = 'kannel';
  private events?: SmsEvents;

  constructor(private readonly opts: KannelOptions) {}

  async start(events: SmsEvents): Promise<void> {
    this.events = events;
  }

  async stop(): Promise<void> {
    this.events = undefined;
  }

  async send(msg: OutboundSms): Promise<SendResult> {
    const dlr = new URL('/api/v1/sms/kannel/dlr', this.opts.callbackBase);
    dlr.searchParams.set('key', this.opts.callbackKey);
    dlr.searchParams.set('ref', msg.ref);
    // %d is substituted by Kannel with the DLR type; keep it unescaped.
    const dlrUrl = `${dlr.toString()}&status=%d`;
    const url = new URL(this.opts.sendsmsUrl);
    const ascii = /^[\x20-\x7e]*$/.test(msg.text);
    const params: Record<string, string> = {
      username: this.opts.username,
      password: this.opts.password,
      from: this.opts.from,
      to: msg.to,
      text: msg.text,
      charset: 'UTF-8',
      coding: ascii ? '0' : '2',
      'dlr-mask': '31',
      'dlr-url': dlrUrl,
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000) });
    } catch (err) {
      throw new ProviderError(this.name, `sendsms unreachable: ${(err as Error).message}`);
    }
    const body = (await res.text()).trim();
    if (res.status >= 300 || !body.startsWith('0:')) {
      throw new ProviderError(this.name, `sendsms refused (${res.status}): ${body.slice(0, 200)}`);
    }
    return { provider: this.name, messageId: `kannel:${msg.ref}` };
  }

  /** The DLR callback (query of the dlr-url). Returns false when the key is wrong. */
  handleDlr(query: Record<string, unknown>): boolean {
    if (query.key !== this.opts.callbackKey) return false;
    const status = DLR_STATUS[Number(query.status)];
    if (!status || typeof query.ref !== 'string') return true;
    this.events?.report({ provider: this.name, ref: query.ref, messageId: `kannel:${query.ref}`, status });
    return true;
  }

  /** The MO callback (sms-service get-url with from=%p&to=%P&text=%a&key=...). */
  handleMo(query: Record<string, unknown>): boolean {
    if (query.key !== this.opts.callbackKey) return false;
    if (typeof query.from !== 'string' || typeof query.text !== 'string') return true;
    this.events?.inbound({
      provider: this.name,
      from: query.from,
      to: typeof query.to === 'string' ? query.to : undefined,
      text: query.text,
    });
    return true;
  }
}

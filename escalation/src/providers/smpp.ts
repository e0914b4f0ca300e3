/**
 * SMPP 3.4 straight to a carrier SMSC (npm `smpp`): bind_transceiver, submit_sm (UCS-2 for
 * Korean; long texts in the message_payload TLV), deliver_sm for delivery receipts (esm_class
 * bit 2, SMPP 3.4 §5.2.12 and Appendix B receipt text) and for MO replies, enquire_link
 * keep-alive, and reconnect with capped backoff when the link drops.
 */

import type { Logger } from 'pino';
import smppPkg from 'smpp';
import type { OutboundSms, SendResult, SmsEvents, SmsProvider } from './types.js';
import { ProviderError } from './types.js';

interface Pdu {
  command_status: number;
  message_id?: string;
  esm_class?: number;
  source_addr?: string;
  destination_addr?: string;
  short_message?: { message?: string } | string;
  message_payload?: { message?: string } | string;
  receipted_message_id?: string;
  response(fields?: Record<string, unknown>): Pdu;
}
interface Session {
  on(ev: string, fn: (arg: Pdu) => void): void;
  bind_transceiver(fields: Record<string, unknown>, cb: (pdu: Pdu) => void): void;
  submit_sm(fields: Record<string, unknown>, cb: (pdu: Pdu) => void): void;
  send(pdu: Pdu): void;
  close(): void;
  destroy?(): void;
}
const smpp = smppPkg as unknown as {
  connect(opts: Record<string, unknown>, listener?: () => void): Session;
};

export interface SmppOptions {
  url: string;
  systemId: string;
  password: string;
  sourceAddr: string;
  enquireLinkMs?: number;
  submitTimeoutMs?: number;
  log: Logger;
}

function text(field: Pdu['short_message']): string {
  if (typeof field === 'string') return field;
  return field?.message ?? '';
}

/** Parses the SMPP 3.4 Appendix B receipt: "id:XXXX sub:001 dlvrd:001 ... stat:DELIVRD err:000". */
export function parseReceipt(body: string): { id?: string; stat?: string } {
  const id = /id:(\S+)/i.exec(body)?.[1];
  const stat = /stat:(\S+)/i.exec(body)?.[1]?.toUpperCase();
  return { id, stat };
}

export class SmppProvider implements SmsProvider {
  readonly name = 'smpp';
  private session?: Session;
  private bound = false;
  private stopped = true;
  private backoffMs = 500;
  private retryTimer?: NodeJS.Timeout;
  private events?: SmsEvents;

  constructor(private readonly opts: SmppOptions) {}

  async start(events: SmsEvents): Promise<void> {
    this.events = events;
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.bound = false;
    this.session?.close();
    this.session = undefined;
  }

  isBound(): boolean {
    return this.bound;
  }

  private connect(): void {
    const s = smpp.connect({ url: this.opts.url, auto_enquire_link_period: this.opts.enquireLinkMs ?? 15_000 });
    this.session = s;
    s.on('connect', () => {
      s.bind_transceiver({ system_id: this.opts.systemId, password: this.opts.password }, (pdu) => {
        if (pdu.command_status === 0) {
          this.bound = true;
          this.backoffMs = 500;
          this.opts.log.info('smpp: bound');
        } else {
          this.opts.log.warn({ status: pdu.command_status }, 'smpp: bind refused');
          s.close();
        }
      });
    });
    s.on('deliver_sm', (pdu) => this.onDeliver(s, pdu));
    s.on('error', (err) => this.opts.log.warn({ err: (err as unknown as Error).message }, 'smpp: link error'));
    s.on('close', () => {
      this.bound = false;
      if (this.stopped || this.session !== s) return;
      this.retryTimer = setTimeout(() => this.connect(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
    });
  }

  private onDeliver(s: Session, pdu: Pdu): void {
    s.send(pdu.response());
    const body = text(pdu.short_message) || text(pdu.message_payload);
    // esm_class bits 2-5 = 0001: SMSC delivery receipt; anything else is a mobile-originated message.
    if (((pdu.esm_class ?? 0) & 0x3c) === 0x04) {
      const r = parseReceipt(body);
      const id = pdu.receipted_message_id ?? r.id;
      const status =
        r.stat === 'DELIVRD' ? 'delivered' : r.stat === 'ACCEPTD' || r.stat === 'ENROUTE' ? 'accepted' : 'failed';
      this.events?.report({ provider: this.name, messageId: id ? `smpp:${id}` : undefined, status, detail: r.stat });
      return;
    }
    this.events?.inbound({ provider: this.name, from: pdu.source_addr ?? '', to: pdu.destination_addr, text: body });
  }

  send(msg: OutboundSms): Promise<SendResult> {
    const s = this.session;
    if (!s || !this.bound) return Promise.reject(new ProviderError(this.name, 'not bound to the SMSC'));
    const long = msg.kind === 'LMS';
    const fields: Record<string, unknown> = {
      source_addr: this.opts.sourceAddr,
      destination_addr: msg.to,
      registered_delivery: 1,
      data_coding: 0x08, // UCS-2
      ...(long ? { message_payload: { message: msg.text } } : { short_message: { message: msg.text } }),
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ProviderError(this.name, 'submit_sm timed out')),
        this.opts.submitTimeoutMs ?? 10_000,
      );
      s.submit_sm(fields, (pdu) => {
        clearTimeout(timer);
        if (pdu.command_status === 0 && pdu.message_id) {
          resolve({ provider: this.name, messageId: `smpp:${pdu.message_id}` });
        } else reject(new ProviderError(this.name, `submit_sm refused, status ${pdu.command_status}`));
      });
    });
  }
}

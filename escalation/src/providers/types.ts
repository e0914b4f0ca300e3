/** One interface for every SMS route (Kannel, SMPP, Twilio); the service fails over in order. */
export interface OutboundSms {
  to: string;
  text: string;
  kind: 'SMS' | 'LMS';
  /** Our notification id, echoed back in delivery reports where the route allows. */
  ref: string;
}

export interface SendResult {
  provider: string;
  messageId: string;
}

export interface InboundSms {
  provider: string;
  from: string;
  to?: string;
  text: string;
}

export type DeliveryStatus = 'delivered' | 'failed' | 'accepted' | 'buffered';

export interface DeliveryReport {
  provider: string;
  messageId?: string;
  ref?: string;
  status: DeliveryStatus;
  detail?: string;
}

export interface SmsEvents {
  inbound(m: InboundSms): void;
  report(r: DeliveryReport): void;
}

export interface SmsProvider {
  readonly name: string;
  start(events: SmsEvents): Promise<void>;
  stop(): Promise<void>;
  send(msg: OutboundSms): Promise<SendResult>;
}

export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
  ) {
    super(`${provider}: ${message}`);
    this.name = 'ProviderError';
  }
}

/** Tries each provider in the configured order; the first that accepts wins. */
export async function sendWithFailover(
  providers: SmsProvider[],
  msg: OutboundSms,
): Promise<SendResult & { errors: string[] }> {
  const errors: string[] = [];
  for (const p of providers) {
    try {
      return { ...(await p.send(msg)), errors };
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  throw new ProviderError('failover', `every provider failed: ${errors.join(' | ') || 'none configured'}`);
}

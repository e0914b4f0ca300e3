/**
 * Builds the escalation service for the center (issue 8): SMS providers from the GWANJE_SMS_*
 * settings in failover order, and the service on the center's own database. Secrets only go
 * into the providers; the log names which providers are configured, never their credentials.
 */

import type { SmsProvider } from '@gwanje/escalation';
import {
  type EscalationDeps,
  EscalationService,
  KannelProvider,
  SmppProvider,
  samePhone,
  TwilioProvider,
} from '@gwanje/escalation';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../auth/audit.js';
import { can, maySee, type Principal } from '../auth/permissions.js';
import type { Logger } from '../logger.js';
import type { EscalationFigures } from '../metrics-ops.js';
import type { SmsSettings } from '../settings.js';

type SmsFigures = Pick<EscalationFigures, 'smsSent' | 'smsFailed'>;

/** The same provider, each send counted and timed by outcome (gwanje_sms_*). */
function meteredProvider(p: SmsProvider, f: SmsFigures): SmsProvider {
  return {
    name: p.name,
    start: (events) => p.start(events),
    stop: () => p.stop(),
    async send(msg) {
      const t0 = performance.now();
      try {
        const r = await p.send(msg);
        f.smsSent(p.name, (performance.now() - t0) / 1000);
        return r;
      } catch (err) {
        f.smsFailed(p.name, (performance.now() - t0) / 1000);
        throw err;
      }
    },
  };
}

export interface EscalationWiring {
  service: EscalationService;
  kannel?: KannelProvider;
  twilio?: TwilioProvider;
}

export function createEscalation(o: {
  sms: SmsSettings;
  /** Public base of this center as the SMS gateways reach it (callback URLs). */
  callbackBase: string;
  db: Kysely<unknown>;
  log: Logger;
  deps: Pick<EscalationDeps, 'ackAlarm' | 'site' | 'isFlood' | 'sensor' | 'onStepLate' | 'journal' | 'owns'>;
  /** /metrics: every provider's sends counted and timed (metrics-ops.ts). */
  figures?: Pick<EscalationFigures, 'smsSent' | 'smsFailed'>;
  /** Who an SMS acknowledgement is made as, and whether they may (F16). */
  users?: {
    get(username: string): Promise<(Pick<Principal, 'role' | 'sites'> & { phone: string | null }) | undefined>;
  };
  audit?: Pick<AuditLog, 'record'>;
}): EscalationWiring {
  const { sms, log } = o;
  const providers: SmsProvider[] = [];
  let kannel: KannelProvider | undefined;
  let twilio: TwilioProvider | undefined;
  for (const name of sms.providers) {
    if (name === 'kannel' && sms.kannel) {
      kannel = new KannelProvider({ ...sms.kannel, callbackBase: o.callbackBase, callbackKey: sms.callbackKey ?? '' });
      providers.push(kannel);
    } else if (name === 'smpp' && sms.smpp) {
      const { source, ...rest } = sms.smpp;
      providers.push(new SmppProvider({ ...rest, sourceAddr: source, log: log.child({ provider: 'smpp' }) }));
    } else if (name === 'twilio' && sms.twilio) {
      twilio = new TwilioProvider({ ...sms.twilio, callbackBase: o.callbackBase });
      providers.push(twilio);
    }
  }
  if (providers.length === 0) log.warn('escalation: no SMS provider configured');
  else log.info({ providers: sms.providers }, 'escalation: SMS providers in failover order');
  const metered = o.figures ? providers.map((p) => meteredProvider(p, o.figures as SmsFigures)) : providers;
  const { users, audit } = o;
  const service = new EscalationService({
    db: o.db,
    providers: metered,
    log,
    now: Date.now,
    ...o.deps,
    userMayAck: async (username, siteId, phone) => {
      const u = await users?.get(username);
      return u !== undefined && can(u, 'ack') && maySee(u, siteId) && samePhone(u.phone, phone);
    },
    audit: async (ev) => audit?.record({ ...ev, ip: null }),
  });
  return { service, kannel, twilio };
}

/**
 * @gwanje/escalation (issue 8): who is texted about an unacknowledged alarm, when, over which SMS
 * provider, and how a reply acknowledges it. The center's side (settings, its bus, its users and
 * audit) is control-api/src/escalation/.
 */
export type { DispatchOptions } from './dispatch.js';
export { handleInbound, type InboundContext, WRONG_CODE_LIMIT, WRONG_CODE_WINDOW_MS } from './inbound.js';
export * from './message.js';
export * from './policy.js';
export { KannelProvider } from './providers/kannel.js';
export { parseReceipt, SmppProvider } from './providers/smpp.js';
export { TwilioProvider, twilioSignature } from './providers/twilio.js';
export * from './providers/types.js';
export * from './reply.js';
export * from './roster.js';
export { type SmsCallbackDeps, smsCallbackRouter } from './routes.js';
export * from './schemas.js';
export { type AlarmFactsRow, type EscalationDeps, EscalationService } from './service.js';
export { migrateEscalation, NOTIFICATION_STATUSES, type NotificationRow, type NotificationStatus } from './store.js';

/**
 * The agent's secrets and the one redaction every event, command result and camera error goes
 * through before it leaves the box or reaches a log (review F12): userinfo of any URL, and each
 * password the config holds (broker, cameras, ONVIF), in the forms tools print them in.
 */
import type { AgentConfig } from '@gwanje/firmware-config';
import { redactDeep, redactText, urlSecrets } from '@gwanje/protocol';

export function agentSecrets(c: AgentConfig): string[] {
  const out = [c.central.password, ...urlSecrets(c.central.url), ...urlSecrets(c.field.url)];
  for (const cam of c.cameras) {
    out.push(...urlSecrets(cam.rtsp));
    if (cam.onvif?.password) out.push(cam.onvif.password);
  }
  if (c.discovery?.password) out.push(c.discovery.password);
  return out.filter((s) => s.length > 0);
}

export interface Redactor {
  text(s: string): string;
  deep<T>(v: T): T;
}

export function redactorFor(c: AgentConfig): Redactor {
  const secrets = agentSecrets(c);
  return { text: (s) => redactText(s, secrets), deep: (v) => redactDeep(v, secrets) };
}

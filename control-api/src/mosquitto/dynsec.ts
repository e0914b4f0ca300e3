/**
 * Agent credentials on an external Mosquitto 2 through its dynamic-security plugin: control-api
 * sends commands to `$CONTROL/dynamic-security/v1` and reads `.../response` (Mosquitto
 * dynamic-security documentation). Each agent gets a client (username = agentId) bound to a
 * role whose ACLs are derived from the topic map, so the broker itself lets an agent publish
 * only its uplink topics and subscribe only its downlink topics under its own prefix. The client
 * is also bound to client id = agentId (dynsec `clientid`): Mosquitto then refuses that login
 * with any other id, so no agent can take over another's session or the center's (security
 * review F2).
 */
import { randomUUID } from 'node:crypto';
import { AGENT_TOPICS, agentTopic, TOPIC_ROOT } from '@gwanje/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

export interface DynsecAcl {
  acltype: 'publishClientSend' | 'publishClientReceive' | 'subscribeLiteral' | 'subscribePattern';
  topic: string;
  allow: boolean;
  priority?: number;
}

export const agentRoleName = (agentId: string): string => `gwanje-agent-${agentId}`;
export const CENTER_ROLE = 'gwanje-center';

/** ACLs of one agent's role, from the topic map: uplink kinds publish, downlink kinds subscribe. Pure. */
export function agentRoleAcls(siteId: string, agentId: string): DynsecAcl[] {
  const acls: DynsecAcl[] = [];
  for (const kind of Object.keys(AGENT_TOPICS) as Array<keyof typeof AGENT_TOPICS>) {
    const topic = agentTopic(siteId, agentId, kind);
    if (AGENT_TOPICS[kind].dir === 'up') acls.push({ acltype: 'publishClientSend', topic, allow: true });
    else {
      acls.push({ acltype: 'subscribeLiteral', topic, allow: true });
      acls.push({ acltype: 'publishClientReceive', topic, allow: true });
    }
  }
  return acls;
}

/** The center's own client: reads every agent's uplink, writes every agent's downlink. */
export function centerRoleAcls(): DynsecAcl[] {
  return [
    { acltype: 'subscribePattern', topic: `${TOPIC_ROOT}/#`, allow: true },
    // Shared subscriptions (MQTT 5 §4.8.2) are checked with their `$share/{group}/` prefix.
    { acltype: 'subscribePattern', topic: `$share/+/${TOPIC_ROOT}/#`, allow: true },
    { acltype: 'publishClientSend', topic: `${TOPIC_ROOT}/#`, allow: true },
    { acltype: 'publishClientReceive', topic: `${TOPIC_ROOT}/#`, allow: true },
  ];
}

interface DynsecResponse {
  command: string;
  error?: string;
  correlationData?: string;
  data?: unknown;
}

export interface DynsecOptions {
  /** mqtt://admin:password@host:port of a client holding the dynsec admin role. */
  url: string;
  log: Logger;
  timeoutMs?: number;
}

export class MosquittoDynsec {
  private client?: MqttClient;
  private readonly waiting = new Map<
    string,
    { done: (r: DynsecResponse) => void; fail: (err: Error) => void; timer: NodeJS.Timeout }
  >();

  constructor(private readonly opts: DynsecOptions) {}

  async start(): Promise<void> {
    const client = mqtt.connect(this.opts.url, {
      clientId: `gwanje-dynsec-${randomUUID().slice(0, 8)}`,
      reconnectPeriod: 2000,
      connectTimeout: 5000,
    });
    this.client = client;
    client.on('message', (_topic, payload) => {
      let parsed: { responses?: DynsecResponse[] };
      try {
        parsed = JSON.parse(payload.toString());
      } catch (err) {
        this.opts.log.warn({ err: (err as Error).message }, 'dynsec: unreadable response');
        return;
      }
      for (const r of parsed.responses ?? []) {
        const w = r.correlationData ? this.waiting.get(r.correlationData) : undefined;
        if (w) w.done(r);
      }
    });
    client.on('error', (err) => this.opts.log.warn({ err: err.message }, 'dynsec: admin client error'));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync('$CONTROL/dynamic-security/v1/response', { qos: 1 });
  }

  /** Ends the admin client; commands still waiting for an answer fail at once. */
  async stop(): Promise<void> {
    for (const w of [...this.waiting.values()]) w.fail(new Error('dynsec: stopped before the broker answered'));
    await this.client?.endAsync();
    this.client = undefined;
  }

  /** Sends one command and resolves with its response (errors are in `error`). */
  async command(command: string, args: Record<string, unknown>): Promise<DynsecResponse> {
    const client = this.client;
    if (!client) throw new Error('dynsec: not started');
    const correlationData = randomUUID();
    const answer = new Promise<DynsecResponse>((resolve, reject) => {
      const settle = () => {
        clearTimeout(w.timer);
        this.waiting.delete(correlationData);
      };
      const w = {
        timer: setTimeout(() => {
          settle();
          reject(new Error(`dynsec: ${command} timed out`));
        }, this.opts.timeoutMs ?? 5000),
        done: (r: DynsecResponse) => {
          settle();
          resolve(r);
        },
        fail: (err: Error) => {
          settle();
          reject(err);
        },
      };
      this.waiting.set(correlationData, w);
    });
    // Handled here too: stop() may fail it while the publish below is still pending (and never
    // resolves once the client ends); callers that get it still see the rejection.
    answer.catch(() => undefined);
    try {
      await client.publishAsync(
        '$CONTROL/dynamic-security/v1',
        JSON.stringify({ commands: [{ command, ...args, correlationData }] }),
        { qos: 1 },
      );
    } catch (err) {
      // The answer can no longer come: settle it here so its timer never rejects unheard.
      this.waiting.get(correlationData)?.fail(err as Error);
      throw err;
    }
    return answer;
  }

  private async must(command: string, args: Record<string, unknown>, tolerate: RegExp[] = []): Promise<void> {
    const r = await this.command(command, args);
    if (r.error && !tolerate.some((t) => t.test(r.error ?? '')))
      throw new Error(`dynsec: ${command} failed: ${r.error}`);
  }

  /** Creates (or refreshes) an agent's role and client with a new password. */
  async provisionAgent(siteId: string, agentId: string, password: string): Promise<void> {
    const rolename = agentRoleName(agentId);
    await this.must('createRole', { rolename }, [/already exists/i]);
    // Replace the ACLs: remove whatever a previous registration (perhaps another site) left.
    const role = await this.command('getRole', { rolename });
    const old = ((role.data as { role?: { acls?: DynsecAcl[] } })?.role?.acls ?? []) as DynsecAcl[];
    for (const acl of old)
      await this.must('removeRoleACL', { rolename, acltype: acl.acltype, topic: acl.topic }, [/not found/i]);
    for (const acl of agentRoleAcls(siteId, agentId)) await this.must('addRoleACL', { rolename, ...acl });
    const created = await this.command('createClient', {
      username: agentId,
      password,
      clientid: agentId,
      roles: [{ rolename }],
    });
    if (created.error) {
      if (!/already exists/i.test(created.error)) throw new Error(`dynsec: createClient failed: ${created.error}`);
      await this.must('setClientPassword', { username: agentId, password });
      await this.must('setClientId', { username: agentId, clientid: agentId });
      const client = await this.command('getClient', { username: agentId });
      const roles = (client.data as { client?: { roles?: Array<{ rolename: string }> } })?.client?.roles ?? [];
      if (!roles.some((r) => r.rolename === rolename))
        await this.must('addClientRole', { username: agentId, rolename });
      await this.must('enableClient', { username: agentId });
    }
    this.opts.log.info({ agentId, siteId }, 'dynsec: agent client provisioned');
  }

  /**
   * Binds existing agent clients to client id = agentId (clients created before the binding
   * existed); an unknown client is skipped. Returns how many were bound.
   */
  async bindClientIds(agentIds: string[]): Promise<number> {
    let bound = 0;
    for (const agentId of agentIds) {
      const r = await this.command('setClientId', { username: agentId, clientid: agentId });
      if (!r.error) bound++;
      else if (!/not found/i.test(r.error)) throw new Error(`dynsec: setClientId failed: ${r.error}`);
    }
    return bound;
  }

  /** Deletes an agent's client and role; Mosquitto disconnects it at once. */
  async revokeAgent(agentId: string): Promise<void> {
    await this.must('deleteClient', { username: agentId }, [/not found/i]);
    await this.must('deleteRole', { rolename: agentRoleName(agentId) }, [/not found/i]);
    this.opts.log.info({ agentId }, 'dynsec: agent client revoked');
  }

  /** Ensures the center's own client exists with full access to the Gwanje topic tree. */
  async ensureCenter(username: string, password: string): Promise<void> {
    await this.must('createRole', { rolename: CENTER_ROLE }, [/already exists/i]);
    for (const acl of centerRoleAcls()) await this.must('addRoleACL', { rolename: CENTER_ROLE, ...acl }, [/already/i]);
    const created = await this.command('createClient', { username, password, roles: [{ rolename: CENTER_ROLE }] });
    if (created.error && !/already exists/i.test(created.error))
      throw new Error(`dynsec: createClient failed: ${created.error}`);
  }
}

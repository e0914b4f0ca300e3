/**
 * One abuse-bench phase's attackers in their own process, so their event loop is not the one that
 * times the legitimate agent's alarms. argv[2]: JSON `{attacks: [{kind, slots}], mqttPort,
 * httpPort, agentId, cameraId}`. Runs until SIGTERM, then prints the attackers' stats as JSON.
 */
import {
  type Attack,
  ingestWrongPassword,
  mqttIdleFlood,
  mqttOversize,
  mqttWrongPassword,
  upgradeFlood,
} from './attackers.js';

export type AttackKind =
  | 'mqtt-idle'
  | 'mqtt-oversize'
  | 'mqtt-wrong-password'
  | 'ingest-wrong-password'
  | 'http-upgrade';

export interface AttackPlan {
  attacks: Array<{ kind: AttackKind; slots: number }>;
  mqttPort: number;
  httpPort: number;
  agentId: string;
  cameraId: string;
}

function start(plan: AttackPlan, kind: AttackKind, slots: number): Attack {
  switch (kind) {
    case 'mqtt-idle':
      return mqttIdleFlood(plan.mqttPort, slots);
    case 'mqtt-oversize':
      return mqttOversize(plan.mqttPort, slots);
    case 'mqtt-wrong-password':
      return mqttWrongPassword(plan.mqttPort, slots, plan.agentId);
    case 'ingest-wrong-password':
      return ingestWrongPassword(plan.httpPort, slots, plan.agentId, plan.cameraId);
    case 'http-upgrade':
      return upgradeFlood(plan.httpPort, slots);
  }
}

const plan = JSON.parse(process.argv[2] ?? '{}') as AttackPlan;
const attacks = plan.attacks.map((a) => start(plan, a.kind, a.slots));
process.once('SIGTERM', async () => {
  for (const a of attacks) await a.stop();
  process.stdout.write(`${JSON.stringify(Object.fromEntries(attacks.map((a) => [a.name, a.stats])))}\n`);
  process.exit(0);
});

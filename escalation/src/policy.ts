/**
 * Escalation policies: per site and priority, ordered tiers with delays, repeats and stop
 * conditions. Pure; the service persists the planned steps so a restart neither loses nor
 * repeats one.
 */

export type Recipient = { roster: string; role: string } | { contact: string; roster: string };

export interface Tier {
  name: string;
  /** Seconds after the alarm was raised. */
  delaySec: number;
  recipients: Recipient[];
  /** Send again every `everySec`, `times` more times, while the stop condition is not met. */
  repeat?: { everySec: number; times: number };
  /** Default ['ack']: an acknowledged alarm stops the tier; 'clear' also stops on return to normal. */
  stopOn?: Array<'ack' | 'clear'>;
}

export interface EscalationPolicy {
  id: string;
  siteIds: string[] | '*';
  priorities: number[];
  /** Alarm types; unset means every type. */
  types?: string[];
  tiers: Tier[];
  /**
   * A flame or smoke alarm confirmed on camera (issue 23): 'advance' (the default) brings the next
   * pending step forward to now and the later ones with it (urgency.ts); 'keep' leaves the plan.
   */
  onCameraConfirmed?: 'advance' | 'keep';
}

export interface PlannedStep {
  stepId: string;
  alarmId: string;
  policyId: string;
  tier: number;
  rep: number;
  dueAt: number;
}

export interface AlarmFacts {
  id: string;
  siteId: string;
  priority: number;
  type: string;
  raisedAt: number;
  advisory?: boolean;
}

export function matchPolicy(policies: EscalationPolicy[], alarm: AlarmFacts): EscalationPolicy | undefined {
  if (alarm.advisory) return undefined;
  return policies.find(
    (p) =>
      (p.siteIds === '*' || p.siteIds.includes(alarm.siteId)) &&
      p.priorities.includes(alarm.priority) &&
      (p.types === undefined || p.types.includes(alarm.type)),
  );
}

/** Every step of every tier (repeats included) with its due time. Tiers without recipients plan nothing. */
export function planSteps(policy: EscalationPolicy, alarm: AlarmFacts): PlannedStep[] {
  const steps: PlannedStep[] = [];
  policy.tiers.forEach((tier, t) => {
    if (tier.recipients.length === 0) return;
    const reps = 1 + (tier.repeat?.times ?? 0);
    for (let rep = 0; rep < reps; rep++) {
      steps.push({
        stepId: `${alarm.id}:${t}:${rep}`,
        alarmId: alarm.id,
        policyId: policy.id,
        tier: t,
        rep,
        dueAt: alarm.raisedAt + (tier.delaySec + rep * (tier.repeat?.everySec ?? 0)) * 1000,
      });
    }
  });
  return steps;
}

/** Whether an alarm change stops a tier: acknowledged (or reset), or cleared when the tier says so. */
export function tierStopped(tier: Tier, alarm: { state: string; ackedAt?: number }): boolean {
  const stopOn = tier.stopOn ?? ['ack'];
  const acked = alarm.ackedAt !== undefined || ['acked', 'normal', 'shelved', 'out-of-service'].includes(alarm.state);
  const cleared = ['rtn-unack', 'normal', 'latched'].includes(alarm.state);
  return (stopOn.includes('ack') && acked) || (stopOn.includes('clear') && cleared);
}

/** The example policy of the issue: supervisor by SMS after 60 s; safety manager and fire liaison after 180 s. */
export const DEFAULT_POLICY: EscalationPolicy = {
  id: 'default-critical',
  siteIds: '*',
  priorities: [1, 2],
  tiers: [
    { name: 'console', delaySec: 0, recipients: [] },
    {
      name: 'shift-supervisor',
      delaySec: 60,
      recipients: [{ roster: 'default', role: 'supervisor' }],
      repeat: { everySec: 300, times: 2 },
      stopOn: ['ack'],
    },
    {
      name: 'safety-manager',
      delaySec: 180,
      recipients: [
        { roster: 'default', role: 'safety-manager' },
        { roster: 'default', role: 'fire-liaison' },
      ],
      stopOn: ['ack'],
    },
  ],
};

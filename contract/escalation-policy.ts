import { z } from 'zod';
import { priorities, stepKindSchema, type Priority, type StepKind } from './alarms.ts';

export const policyStepSchema = z.object({
  kind: stepKindSchema,
  acceptWithinS: z.number().int().min(1).max(7 * 86_400),
});
export type PolicyStep = z.infer<typeof policyStepSchema>;

/** What an alarm carries from its opening on (the snapshot): later config edits do not move it. */
export const alarmPolicySchema = z.object({
  priority: z.enum(priorities),
  acceptLimitS: z.number().int().positive(),
  arriveLimitS: z.number().int().positive(),
  steps: z
    .array(policyStepSchema)
    .min(1)
    .max(20)
    .refine((s) => s.at(-1)?.kind === 'console', { message: 'the last step must be "console": an alarm is never left with nobody' }),
});
export type AlarmPolicy = z.infer<typeof alarmPolicySchema>;

const overrideSchema = z
  .object({
    acceptLimitS: z.number().int().positive().optional(),
    arriveLimitS: z.number().int().positive().optional(),
    steps: alarmPolicySchema.shape.steps.optional(),
  })
  .strict();
type Override = z.infer<typeof overrideSchema>;
const perPriority = z.object(Object.fromEntries(priorities.map((p) => [p, overrideSchema.optional()])) as Record<Priority, z.ZodOptional<typeof overrideSchema>>).strict();

/** `ALARM_POLICY` (JSON): per-priority overrides, and per-area ones keyed by area id. */
export const policyConfigSchema = perPriority
  .extend({ areas: z.record(z.guid({ error: 'keys must be area ids (UUIDs)' }), perPriority).optional() })
  .strict();
export type PolicyConfig = z.infer<typeof policyConfigSchema>;

const steps = (...s: Array<[StepKind, number]>): PolicyStep[] => s.map(([kind, acceptWithinS]) => ({ kind, acceptWithinS }));

/**
 * DESIGN.md's limits: emergency accept 60 s / arrive 20 min; urgent 3 min / 45 min; service
 * 15 min / same day; technical next working day. The first caregiver gets the whole accept
 * limit; a decline moves on at once, so the limit is a ceiling, not a wait.
 */
export const DEFAULT_POLICIES: Record<Priority, AlarmPolicy> = {
  emergency: {
    priority: 'emergency',
    acceptLimitS: 60,
    arriveLimitS: 20 * 60,
    steps: steps(['next_in_grid', 60], ['all_in_grid', 60], ['community_pool', 60], ['supervisor', 60], ['sms_family', 120], ['console', 60]),
  },
  urgent: {
    priority: 'urgent',
    acceptLimitS: 180,
    arriveLimitS: 45 * 60,
    steps: steps(['next_in_grid', 180], ['all_in_grid', 120], ['community_pool', 120], ['supervisor', 180], ['sms_family', 300], ['console', 120]),
  },
  service: {
    priority: 'service',
    acceptLimitS: 15 * 60,
    arriveLimitS: 8 * 3600,
    steps: steps(['next_in_grid', 900], ['all_in_grid', 900], ['console', 900]),
  },
  technical: {
    priority: 'technical',
    acceptLimitS: 86_400,
    arriveLimitS: 2 * 86_400,
    steps: steps(['console', 3600]),
  },
};

function apply(base: AlarmPolicy, o: Override | undefined): AlarmPolicy {
  if (!o) return base;
  return {
    ...base,
    ...(o.acceptLimitS !== undefined && { acceptLimitS: o.acceptLimitS }),
    ...(o.arriveLimitS !== undefined && { arriveLimitS: o.arriveLimitS }),
    ...(o.steps !== undefined && { steps: o.steps }),
  };
}

/**
 * The policy for an alarm of `priority` in an area, given the area's path from the grid up
 * (grid first): the nearest area override wins, then the global override, then the default.
 */
export function resolvePolicy(config: PolicyConfig, priority: Priority, areaPath: readonly string[]): AlarmPolicy {
  const global = apply(DEFAULT_POLICIES[priority], config[priority]);
  for (const areaId of areaPath) {
    const o = config.areas?.[areaId]?.[priority];
    if (o) return apply(global, o);
  }
  return global;
}

/** Parses the `ALARM_POLICY` text; the message says what to fix. */
export function parsePolicyConfig(text: string | undefined): { ok: true; value: PolicyConfig } | { ok: false; message: string } {
  if (text === undefined) return { ok: true, value: {} };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'must be JSON' };
  }
  const r = policyConfigSchema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  const i = r.error.issues[0]!;
  // a bad record key hides its reason one level down
  const why = i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message;
  return { ok: false, message: `${i.path.join('.') || '(top)'}: ${why}` };
}

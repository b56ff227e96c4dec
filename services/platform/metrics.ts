// The module object itself (not a copy, as `import * as` would make): prom-client reads it.
import perfHooks = require('node:perf_hooks');
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { AuditLog } from '../audit';
import type { HandoffReason } from '../../domain/handoffReason';
import type { Outcome } from '../../domain/outcome';
import type { OtpPurpose } from '../../domain/otpBinding';
import type { RateLimits } from '../limits';
import { SCOPES_OF, type RateAction } from '../limits/rateRules';

/**
 * What the metrics read from a turn (the bot's `TurnInfo` fits). Labels come only from fixed
 * vocabularies: never text, numbers, conversation ids or anything else about a customer.
 */
export interface TurnFacts {
  /** The chart's state value after the turn (XState `snapshot.value`). */
  state: unknown;
  outcome?: string;
  replayed: boolean;
  proactive?: boolean;
  ms: number;
}

export interface Metrics {
  /** This instance's registry (not prom-client's global one: several servers may share a process). */
  readonly registry: Registry;
  /** Counts one turn of the bot. */
  turn(info: TurnFacts): void;
  /** The audit log, passing everything through, counting codes sent and handoffs requested. */
  countAudit(audit: AuditLog): AuditLog;
  /** The rate limits, passing every decision through, counting refusals by action and scope. */
  countRateLimits(limits: RateLimits): RateLimits;
  /** Prometheus text exposition. */
  exposition(): Promise<{ contentType: string; body: string }>;
  /** Stops what keeps collecting on its own (the event-loop delay monitor): when the server stops. */
  close(): void;
}

export type TurnKind = 'customer' | 'proactive' | 'replayed';

const TURN_KINDS: readonly TurnKind[] = ['customer', 'proactive', 'replayed'];
const OUTCOMES: Record<Outcome, true> = { phoneChanged: true, cancelled: true, handedOff: true, locked: true, rejected: true };
const PURPOSES: Record<OtpPurpose, true> = { old: true, new: true };
// A Record, so that a reason added to the chart and not here fails to compile.
const HANDOFF_REASONS: Record<HandoffReason, true> = {
  customerRequest: true,
  identityLocked: true,
  otpLocked: true,
  repeatedMisses: true,
  outOfScope: true,
  accountAbnormal: true,
  numberTaken: true,
  oldPhoneUnreachable: true,
  numberCompromised: true,
  complaint: true,
  serviceError: true,
};
/** Turn durations: 1 ms … 5 s. */
export const TURN_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The label for a value of a fixed vocabulary; anything else is `other`, never the value itself. */
function known<T extends string>(vocabulary: Record<T, true>, value: unknown): T | 'other' {
  return typeof value === 'string' && Object.hasOwn(vocabulary, value) ? (value as T) : 'other';
}

/**
 * A chart state as a dotted path: `idle`, `changing.awaitingCode`. Parallel regions (none today)
 * are joined with `+`. Anything that does not look like state names (letters only) is `other`:
 * the names come from the chart, so the label set stays small and carries nothing a customer said.
 */
export function statePath(value: unknown): string {
  const path = pathOf(value, 0);
  return path !== undefined && path.length <= 100 && /^[A-Za-z]+([.+][A-Za-z]+)*$/.test(path) ? path : 'other';
}

function pathOf(value: unknown, depth: number): string | undefined {
  if (typeof value === 'string') return value;
  if (depth > 8 || typeof value !== 'object' || value === null) return undefined;
  const parts = Object.entries(value).map(([name, child]) => {
    const below = pathOf(child, depth + 1);
    return below === undefined ? undefined : `${name}.${below}`;
  });
  if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
  return parts.join('+');
}

/**
 * The bot's metrics on a registry of their own, with Node's default process metrics. Expose them
 * with `exposition()` (GET /metrics).
 */
export function createMetrics({ defaults = true }: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  const stopDefaults = defaults ? startDefaultMetrics(registry) : () => undefined;

  const turns = new Counter({
    name: 'rebind_turns_total',
    help: 'Bot turns, by kind: a customer message, a turn the bot started itself, a channel retry answered from the record.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'rebind_turn_duration_seconds',
    help: 'Time a turn took, from running the chart to sending the replies (retries answered from the record excluded).',
    buckets: TURN_BUCKETS,
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'rebind_outcomes_total',
    help: 'Flows that ended, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const states = new Counter({
    name: 'rebind_state_entries_total',
    help: 'The chart state after each turn (dotted path for nested states).',
    labelNames: ['state'] as const,
    registers: [registry],
  });
  const codes = new Counter({
    name: 'rebind_codes_sent_total',
    help: 'One-time codes sent, by purpose: to the current number (old) or to the new one (new).',
    labelNames: ['purpose'] as const,
    registers: [registry],
  });
  const handoffs = new Counter({
    name: 'rebind_handoffs_total',
    help: 'Handoffs to a person requested, by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const limited = new Counter({
    name: 'rebind_rate_limited_total',
    help: 'Messages, identity checks and code sends refused by a rate limit, by action and by the scope over its limit.',
    labelNames: ['action', 'scope'] as const,
    registers: [registry],
  });
  for (const [action, scopes] of Object.entries(SCOPES_OF)) for (const scope of scopes) limited.inc({ action, scope }, 0);
  // Every series of a fixed vocabulary exists from the start (at 0), so rates work from the first scrape.
  for (const kind of TURN_KINDS) turns.inc({ kind }, 0);
  for (const outcome of Object.keys(OUTCOMES)) outcomes.inc({ outcome }, 0);
  for (const purpose of Object.keys(PURPOSES)) codes.inc({ purpose }, 0);
  for (const reason of Object.keys(HANDOFF_REASONS)) handoffs.inc({ reason }, 0);

  return {
    registry,
    turn(info) {
      const kind: TurnKind = info.replayed ? 'replayed' : info.proactive ? 'proactive' : 'customer';
      turns.inc({ kind });
      if (info.replayed) return; // nothing ran: no duration, no state
      duration.observe(Math.max(0, info.ms) / 1000);
      if (info.state !== undefined) states.inc({ state: statePath(info.state) });
      if (info.outcome !== undefined) {
        const outcome = known(OUTCOMES, info.outcome);
        if (outcome !== 'other') outcomes.inc({ outcome });
      }
    },
    countAudit(audit) {
      return {
        // Spread: whatever else the log offers passes through unchanged.
        ...audit,
        async record(type, conversationId, data) {
          await audit.record(type, conversationId, data);
          // Counted once recorded: the label is the vocabulary's word, never the data itself.
          if (type === 'code.sent') codes.inc({ purpose: known(PURPOSES, data?.purpose) });
          if (type === 'handoff.requested') handoffs.inc({ reason: known(HANDOFF_REASONS, data?.reason) });
        },
      };
    },
    countRateLimits(limits) {
      return {
        async consume(action: RateAction, keys) {
          const decision = await limits.consume(action, keys);
          if (!decision.allowed) limited.inc({ action, scope: decision.scope });
          return decision;
        },
      };
    },
    async exposition() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    close: stopDefaults,
  };
}

/**
 * prom-client's default metrics (CPU, memory, heap, handles, event-loop delay, GC) in `registry`, and
 * how to stop them. Two of them keep running by themselves and prom-client gives no way to stop them:
 * the event-loop delay monitor (a histogram Node keeps enabled until told otherwise) and the GC
 * observer. Each holds what was around when it was made (its closures, and the async context: in a
 * test, the test itself with its server, bot and stores), so one left behind per server kept every
 * server of a jest worker alive. They are caught as prom-client makes them (synchronously, here) and
 * stopped by the function returned.
 */
function startDefaultMetrics(registry: Registry): () => void {
  const histograms: perfHooks.IntervalHistogram[] = [];
  const observers: perfHooks.PerformanceObserver[] = [];
  // prom-client reads these off the module when it starts its metrics: swap them for the call only.
  const hooks = perfHooks as { monitorEventLoopDelay: typeof perfHooks.monitorEventLoopDelay; PerformanceObserver: typeof perfHooks.PerformanceObserver };
  const { monitorEventLoopDelay, PerformanceObserver } = hooks;
  hooks.monitorEventLoopDelay = (options) => {
    const histogram = monitorEventLoopDelay(options);
    histograms.push(histogram);
    return histogram;
  };
  hooks.PerformanceObserver = class extends PerformanceObserver {
    constructor(callback: perfHooks.PerformanceObserverCallback) {
      super(callback);
      observers.push(this);
    }
  };
  try {
    collectDefaultMetrics({ register: registry });
  } finally {
    hooks.monitorEventLoopDelay = monitorEventLoopDelay;
    hooks.PerformanceObserver = PerformanceObserver;
  }
  return () => {
    for (const h of histograms.splice(0)) {
      h.disable();
      // Disabled, the monitor stays in Node's list of open handles, and its handle holds the async
      // context it was made in, for good: Node has no public call to close it. Close it through the
      // histogram's own handle, and let go of that handle, when there is one.
      const slot = Object.getOwnPropertySymbols(h).find((k) => k.description === 'kHandle');
      const fields = h as unknown as Record<symbol, { close?: () => void } | undefined>;
      if (slot === undefined) continue;
      const handle = fields[slot];
      if (typeof handle?.close === 'function') handle.close();
      fields[slot] = undefined;
    }
    for (const o of observers.splice(0)) o.disconnect();
  };
}

/**
 * What the chart alone costs a turn: the real chart, effects that answer at once, the bench's whole
 * change (eight turns), run as `bot/runChart.ts` runs it, the actor taken up by the next turn
 * (`warm`, as the bot does) or restored from the stored snapshot (`restored`). No HTTP, no stores.
 *
 *   npx tsx bench/probes/chartTurns.ts [warm|restored]
 */
import type { Snapshot } from 'xstate';
import { runChart, type ChartActor } from '../../bot/runChart';
import { changePhoneMachine, effectsActor } from '../../dialogs/changePhone';
import type { ChartEvent } from '../../dialogs/types';
import type { Intent } from '../../domain/intent';
import { answeringEffects, RIGHT_CODE } from '../../tests/support/answeringEffects';

const machine = changePhoneMachine.provide({ actors: { effects: effectsActor(answeringEffects) } });

const said = (text: string, intent: Intent = 'none'): ChartEvent => ({ type: 'SAID', text, intent });
const change: ChartEvent[][] = [
  [said('我想更换银行卡绑定的手机号', 'changePhone')],
  [said('6222021234567890128')],
  [said('11010519491231002X')],
  [said('13800138000')],
  [said(RIGHT_CODE)],
  [said('18612345678')],
  [said(RIGHT_CODE)],
  [said('确认', 'affirm')],
];

async function conversation(n: number, warm: boolean): Promise<void> {
  let snapshot: Snapshot<unknown> | undefined;
  let actor: ChartActor | undefined;
  for (const events of change) {
    const turn = await runChart(machine, { conversationId: `c${n}`, snapshot, events, timeoutMs: 1000, ...(warm && actor ? { warm: actor } : {}) });
    snapshot = turn.snapshot;
    JSON.stringify(snapshot); // as it is stored
    if (warm) actor = turn.actor;
    else turn.actor.stop();
  }
  actor?.stop();
}

async function main(): Promise<void> {
  const warm = (process.argv[2] ?? 'warm') === 'warm';
  for (let i = 0; i < 500; i++) await conversation(i, warm); // warm-up
  for (let round = 1; round <= 3; round++) {
    const n = 2000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await conversation(i, warm);
    const perTurn = Number(process.hrtime.bigint() - started) / n / change.length / 1000;
    console.log(`round ${round} (${warm ? 'warm' : 'restored'}): ${perTurn.toFixed(1)} µs a turn`);
  }
}

void main();

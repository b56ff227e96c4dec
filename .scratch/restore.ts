import { createActor } from 'xstate';
import { changePhoneMachine } from '../dialogs/changePhone';
import fixture from '../tests/dialogs/storedSnapshots.v2.json';
const entries = Object.values(fixture as Record<string, any>);
const snaps = (fixture as any).cases.map((c: any) => c.stored);
console.log('snapshots', snaps.length, JSON.stringify(snaps[5]).length);
for (let round = 0; round < 3; round++) {
  const N = 5000; let t = performance.now();
  for (let i = 0; i < N; i++) { const a = createActor(changePhoneMachine, { input: { conversationId: 'x' }, snapshot: snaps[i % snaps.length] }); a.start(); a.getPersistedSnapshot(); a.stop(); }
  const restore = (performance.now() - t) / N * 1000;
  t = performance.now();
  const a = createActor(changePhoneMachine, { input: { conversationId: 'x' }, snapshot: snaps[5] }); a.start();
  for (let i = 0; i < N; i++) { a.getPersistedSnapshot(); }
  const persist = (performance.now() - t) / N * 1000;
  t = performance.now();
  for (let i = 0; i < N; i++) { JSON.stringify(snaps[i % snaps.length]); }
  const str = (performance.now() - t) / N * 1000;
  console.log(`restore+start+persist+stop ${restore.toFixed(1)} µs; getPersistedSnapshot ${persist.toFixed(1)} µs; JSON.stringify ${str.toFixed(1)} µs`);
}

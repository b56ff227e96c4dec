import { openDatabase } from '../platform/openDatabase';
import { createSqliteFunnelLog } from './sqlite';

// The funnel log's contract runs on SQLite in funnelLogContract.test.ts. Here: its table.

test('SQLite: table funnel_events, opened twice on one file without harm', async () => {
  const db = openDatabase(':memory:');
  await createSqliteFunnelLog({ db }).record('aaa', 'started', 1);
  expect(await createSqliteFunnelLog({ db }).all()).toHaveLength(1);
  expect(db.prepare('SELECT conversation, step, at FROM funnel_events').all()).toEqual([{ conversation: 'aaa', step: 'started', at: 1 }]);
});

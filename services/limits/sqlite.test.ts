import { openDatabase, type Db } from '../platform/openDatabase';
import { rateRulesFrom } from './rateRules';
import { createSqliteRateLimits } from './sqlite';

// The rate-limit contract runs on SQLite in rateLimitsContract.test.ts. Here: how SQLite keeps the counts.

const SECRET = Buffer.alloc(32, 7);

const settings = (s: { messages?: string; identity?: string; codes?: string }) =>
  rateRulesFrom({ messages: s.messages ?? 'off', identity: s.identity ?? 'off', codes: s.codes ?? 'off' });

test('SQLite: expired counts are swept as limits are used, with no timer left behind', async () => {
  const db: Db = openDatabase(':memory:');
  try {
    const limits = await createSqliteRateLimits(settings({ codes: 'conversation:5/1s' }), SECRET, db);
    await limits.consume('codes', { conversation: 'old' });
    const rows = () => (db.prepare('SELECT COUNT(*) AS n FROM rl_codes_conversation').get() as { n: number }).n;
    expect(rows()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (let i = 0; i < 499; i++) await limits.consume('codes', { conversation: 'busy' });
    // The 500th consume swept the expired row of 'old'; 'busy' is live.
    expect(rows()).toBe(1);
  } finally {
    db.close();
  }
});

test('SQLite: message counts stay in memory (a turn pays no commit for them); checks and codes are in the database', async () => {
  const db: Db = openDatabase(':memory:');
  try {
    const all = { messages: 'conversation:5/1m', identity: 'card:5/1h', codes: 'card:5/1h' };
    await createSqliteRateLimits(settings(all), SECRET, db);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>)
      .map((t) => t.name)
      .sort();
    expect(tables).toEqual(['rl_codes_card', 'rl_identity_card']);
  } finally {
    db.close();
  }
});

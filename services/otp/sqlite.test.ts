import { openDatabase } from '../platform/openDatabase';
import { migrateOtp } from './sqlite';

/** How SQLite means to run a statement (EXPLAIN QUERY PLAN), as one line. */
function plan(sql: string): string {
  const db = openDatabase(':memory:');
  migrateOtp(db);
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0) as Array<{ detail: string }>;
  db.close();
  return rows.map((r) => r.detail).join('; ');
}

// Old codes and sends are pruned at every issue: with a scan, every code sent would read every code
// ever kept (a day's worth), and a busy day would slow every turn that sends one.
test('pruning old codes and sends reads them by time, not every row', () => {
  expect(plan('DELETE FROM otp_codes WHERE expires_at <= ?')).toMatch(/USING (COVERING )?INDEX otp_codes_by_expiry/);
  expect(plan('DELETE FROM otp_sends WHERE sent_at <= ?')).toMatch(/USING (COVERING )?INDEX otp_sends_by_time/);
});

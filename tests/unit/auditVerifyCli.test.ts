import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveKeys } from '../../server/secrets';
import { createSqliteAuditLog } from '../../services/audit/sqlite';
import { openDatabase } from '../../services/platform/openDatabase';

const root = join(__dirname, '..', '..');
const secret = 'ab'.repeat(32);

// Each run starts a Node process that compiles the script (tsx): a limit, not an assertion on timing.
jest.setTimeout(60_000);

/** Runs the real script, as `npm run audit:verify` would, on DATA_DIR `dataDir`. */
function auditVerify(dataDir: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/auditVerify.ts'],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', STORAGE: 'sqlite', DATA_DIR: dataDir, SECRET_KEY: secret, LOG_LEVEL: 'silent', ...env },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('npm run audit:verify', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'rebind-audit-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('says OK on an intact log (exit 0), TAMPERED once a record is edited (exit 1)', async () => {
    const db = openDatabase(join(dataDir, 'rebind.sqlite'));
    const audit = createSqliteAuditLog({ db, key: deriveKeys(Buffer.from(secret, 'hex')).audit, clock: () => 1000 });
    await audit.record('identity.passed', 'conv-a', { card: '6222****0001' });
    await audit.record('code.sent', 'conv-a', { phone: '138****8000' });
    await audit.record('change.committed', 'conv-a', { changeId: 'c1' });

    const intact = await auditVerify(dataDir);
    expect(intact).toMatchObject({ code: 0, stdout: 'audit log OK: 3 records\n' });

    db.exec('DROP TRIGGER audit_log_append_only_update');
    db.prepare('UPDATE audit_log SET data = ? WHERE id = 2').run(JSON.stringify({ phone: '139****0000' }));
    db.close();
    const tampered = await auditVerify(dataDir);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/^audit log TAMPERED: edited at record 2\b/);

    // Another SECRET_KEY derives another audit key: nothing verifies.
    expect((await auditVerify(dataDir, { SECRET_KEY: 'cd'.repeat(32) })).code).toBe(1);
  });

  it('exits 2 when there is no database, and creates none', async () => {
    const result = await auditVerify(dataDir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no database/);
    expect(existsSync(join(dataDir, 'rebind.sqlite'))).toBe(false);
  });
});

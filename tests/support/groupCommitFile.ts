import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGroupCommit, type GroupCommit, type GroupCommitOptions } from '../../services/platform/groupCommit';
import { openDatabase, type Db } from '../../services/platform/openDatabase';

export interface GroupCommitFile {
  file: string;
  connection: Db;
  group: GroupCommit;
  /** Commits what is open, closes the connection and removes the folder. */
  close(): Promise<void>;
}

/** A SQLite file in a folder of its own, opened as the bot opens rebind.sqlite: a connection and a group commit over it. */
export function openGroupCommitFile(options: GroupCommitOptions = {}): GroupCommitFile {
  const dir = mkdtempSync(join(tmpdir(), 'rebind-group-'));
  const file = join(dir, 'rebind.sqlite');
  const connection = openDatabase(file);
  const group = createGroupCommit(connection, file, options);
  return {
    file,
    connection,
    group,
    async close() {
      await group.close();
      connection.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

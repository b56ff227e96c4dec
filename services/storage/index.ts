export { createSqliteStorage, migrateStorageSchema, SqliteStorage } from './sqliteStorage';
export type { SqliteStorageOptions } from './sqliteStorage';
export { conversationIdOfKey, conversationStorageKey } from './conversationKey';

export type {
  BankCore,
  BankSeed,
  CardStatus,
  ChangeRequest,
  ChangeResult,
  CustomerStatus,
  IdentityClaim,
  IdentityResult,
} from './types';
export { createSqliteBankCore, migrateBankSchema } from './sqliteBankCore';
export type { AuditRow, SqliteBankCore, SqliteBankCoreOptions } from './sqliteBankCore';
export { loadSeed, SeedError } from './loadSeed';
export { BankUnavailableError, createResilientBank } from './resilientBank';
export type { BankUnavailableReason, BreakerState, ResilientBank, ResilientBankOptions } from './resilientBank';

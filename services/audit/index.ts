export { createAuditLog, migrateAudit, verifySqliteAudit } from './auditLog';
export type { AuditLog, AuditRecord, AuditType } from './auditLog';
export { canonicalJson, GENESIS_MAC, makeHead, recordMac, verifyChain } from './auditChain';
export type { AuditHead, AuditProblem, AuditVerification, ChainedRecord } from './auditChain';

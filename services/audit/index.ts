export { createAuditLog, migrateAudit } from './auditLog';
export type { AuditLog, AuditRecord, AuditType } from './auditLog';

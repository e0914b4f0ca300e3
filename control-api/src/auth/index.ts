export { authPortsFromRepositories } from './adapter.js';
export { AgentCredentials, type AgentIdentity } from './agent-credentials.js';
export { type AuditAction, type AuditEvent, AuditLog } from './audit.js';
export { AuthError } from './errors.js';
export { generatePassword, hashPassword, passwordProblem, verifyPassword } from './password.js';
export * from './permissions.js';
export type * from './ports.js';
export { ADMIN_USERNAME, AuthService, type AuthServiceOptions, type LoginResult, userView } from './service.js';
export { UserAdmin, type UserDetails } from './users.js';

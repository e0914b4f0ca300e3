/**
 * Modules `accounts` and `auth` (issue 9 "People" and "Devices").
 *
 * `accounts` holds what the broker needs before anything is created: the audit log and the edge
 * agents' credentials (checked on every broker CONNECT and video push; revocations go out as
 * `agent.revoked`).
 *
 * `auth` then creates: seed sites on an empty database, the token signing key (GWANJE_JWT_SECRET,
 * or a 0600 key file next to SQLite, or on PostgreSQL, shared by every instance, the settings
 * table; F17), users, and the first admin with a generated password printed once. Session
 * changes go out as `sessions.changed`.
 */
import { join } from 'node:path';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import type { StoreModule } from '../store/module.js';
import { seedSites } from '../store/repositories.js';
import { authPortsFromRepositories } from './adapter.js';
import { AgentCredentials } from './agent-credentials.js';
import { AuditLog } from './audit.js';
import { ensureFirstAdmin, InitialPasswordFile } from './first-admin.js';
import type { AuthPorts } from './ports.js';
import { AuthService } from './service.js';

export class AccountsModule implements CenterModule {
  readonly name = 'accounts';
  private made?: { ports: AuthPorts; audit: AuditLog; agentCreds: AgentCredentials };

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
  ) {}

  get ports(): AuthPorts {
    return started(this.name, 'ports', this.made?.ports);
  }
  get audit(): AuditLog {
    return started(this.name, 'audit', this.made?.audit);
  }
  get agentCreds(): AgentCredentials {
    return started(this.name, 'agentCreds', this.made?.agentCreds);
  }

  start(): void {
    const { log, metrics, bus, now } = this.ctx;
    const ports = authPortsFromRepositories(this.store.repos);
    const audit = new AuditLog(ports.audit, now, log.child({ module: 'audit' }));
    const agentCreds = new AgentCredentials({
      agents: ports.agents,
      audit,
      log,
      now,
      bus,
      onRefused: (reason) => metrics.agentLoginRefused.inc({ reason }),
    });
    this.made = { ports, audit, agentCreds };
  }

  stop(): void {}
}

export class AuthModule implements CenterModule {
  readonly name = 'auth';
  private service?: AuthService;
  /** The generated admin password while nobody has logged in with it (main.ts prints it). */
  adminPassword?: string;

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
    private readonly accounts: AccountsModule,
  ) {}

  get auth(): AuthService {
    return started(this.name, 'auth', this.service);
  }

  async start(): Promise<void> {
    const { settings: s, log, bus, now, tuning } = this.ctx;
    const { db, repos } = this.store;
    if ((await repos.sites.list()).length === 0) await seedSites(repos, s.seedFile);
    const jwtKeyFile = db.dialect === 'sqlite' ? join(s.dataDir, 'keys', 'jwt-secret') : undefined;
    const ports = this.accounts.ports;
    const auth = new AuthService({
      ports,
      audit: this.accounts.audit,
      log,
      now,
      bus,
      jwtSecret: s.jwtSecret,
      jwtKeyFile,
      tokenTtlMs: tuning.tokenTtlMs,
      throttle: tuning.throttle,
    });
    await auth.start();
    this.service = auth;
    const admin = await ensureFirstAdmin(auth, ports.users, new InitialPasswordFile(s.dataDir), s.adminPassword);
    this.adminPassword = admin.password;
  }

  async stop(): Promise<void> {
    await this.service?.stop();
  }
}

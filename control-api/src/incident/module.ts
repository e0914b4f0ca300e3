/**
 * Module `incident` (issue 21): what evidence bundles and CAP alerts need. The Ed25519 key that
 * signs bundles (GWANJE_EVIDENCE_KEY, else kept like the JWT secret: a 0600 file next to SQLite or,
 * on PostgreSQL, the settings table), a private work directory for masked copies (emptied at start:
 * copies a crash left behind are CCTV nobody asked to keep), and the face masker
 * (GWANJE_FACE_MASK=off turns it off; it needs ffmpeg).
 */
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { AccountsModule } from '../auth/module.js';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import { securePrivateDir } from '../store/data-dir.js';
import type { StoreModule } from '../store/module.js';
import type { VideoModule } from '../video/module.js';
import type { EvidenceTools } from './evidence.js';
import { loadEvidenceKey } from './evidence-key.js';
import { FfmpegFaceMasker } from './face-mask.js';

export class IncidentModule implements CenterModule {
  readonly name = 'incident';
  private tools?: EvidenceTools;
  private masker?: FfmpegFaceMasker;

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
    private readonly accounts: AccountsModule,
    private readonly video: VideoModule,
  ) {}

  get evidence(): EvidenceTools {
    return started(this.name, 'evidence', this.tools);
  }

  /** CAP 1.2 `<sender>`: GWANJE_CAP_SENDER, else gwanje@<host name>. */
  get capSender(): string {
    return (
      this.ctx.settings.capSender ??
      `gwanje@${hostname()
        .slice(0, 64)
        .replace(/[^A-Za-z0-9.-]/g, '-')}`
    );
  }

  async start(): Promise<void> {
    const { settings: s, log } = this.ctx;
    const elog = log.child({ module: 'evidence' });
    const key = await loadEvidenceKey({
      configuredFile: s.evidenceKeyFile,
      keyFile: this.store.db.dialect === 'sqlite' ? join(s.dataDir, 'keys', 'evidence-ed25519.pem') : undefined,
      settings: this.accounts.ports.settings,
    });
    elog.info({ keyId: key.keyId }, 'evidence: signing key ready');
    const workDir = join(s.dataDir, 'evidence-work');
    rmSync(workDir, { recursive: true, force: true });
    securePrivateDir(workDir, elog);
    const ffmpeg = this.video.ffmpeg;
    if (s.faceMask && ffmpeg.source !== 'missing')
      this.masker = new FfmpegFaceMasker({ ffmpeg: ffmpeg.path, log: log.child({ module: 'faces' }) });
    this.tools = { key, workDir, masker: this.masker };
  }

  async stop(): Promise<void> {
    await this.masker?.stop();
  }
}

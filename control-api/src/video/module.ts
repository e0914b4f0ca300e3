/**
 * Module `video`: the video gateway on the center's port (/video). Viewers by ticket (or token)
 * and site scope for as long as their session lives (auth/gates.ts), every view audited (PIPA);
 * pushes by the owning agent's credentials; camera states go out as `camera.state`. ffmpeg:
 * GWANJE_FFMPEG, else on PATH, else the build shipped in npm (issue 17: a fresh machine). Direct
 * cameras (issue 20) are pulled by the gateway itself, their credentials sealed with the camera key.
 *
 * Listens: `alarm.changed` (clips, snapshot and PTZ presets of a hazard alarm, issue 6),
 * `sessions.changed` (viewers re-checked, F4), `agent.revoked` (its pushes end at once).
 */
import { VideoGateway } from '@gwanje/gateway';
import type { AlarmsModule } from '../alarms/module.js';
import type { AccountsModule, AuthModule } from '../auth/module.js';
import { parseTrustProxy, type TrustProxy } from '../http/client-address.js';
import type { IngestModule } from '../ingest/module.js';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import type { StoreModule } from '../store/module.js';
import { alarmClipListener } from './alarm-clips.js';
import { CameraSecrets } from './camera-secrets.js';
import { DirectCameras } from './direct-cameras.js';
import { type FfmpegBinary, resolveFfmpeg } from './ffmpeg-binary.js';
import { PrealarmLinks } from './prealarm.js';
import { ViewAudit } from './view-audit.js';
import { endAgentPushes, videoGatewayDeps } from './wiring.js';

export class VideoModule implements CenterModule {
  readonly name = 'video';
  private prealarm?: PrealarmLinks;
  private made?: {
    gateway: VideoGateway;
    views: ViewAudit;
    ffmpeg: FfmpegBinary;
    trustProxy: TrustProxy;
    direct: DirectCameras;
  };

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
    private readonly accounts: AccountsModule,
    private readonly authModule: AuthModule,
    private readonly ingest: IngestModule,
    private readonly alarms: AlarmsModule,
  ) {}

  get gateway(): VideoGateway {
    return started(this.name, 'gateway', this.made?.gateway);
  }
  get views(): ViewAudit {
    return started(this.name, 'views', this.made?.views);
  }
  get ffmpeg(): FfmpegBinary {
    return started(this.name, 'ffmpeg', this.made?.ffmpeg);
  }
  /** Cameras the center pulls itself (issue 20), credentials sealed with its camera key. */
  get direct(): DirectCameras {
    return started(this.name, 'direct', this.made?.direct);
  }
  get trustProxy(): TrustProxy {
    return started(this.name, 'trustProxy', this.made?.trustProxy);
  }

  async start(): Promise<void> {
    const { settings: s, log, bus } = this.ctx;
    const vlog = log.child({ module: 'video' });
    const ffmpeg = resolveFfmpeg(s.ffmpeg);
    if (ffmpeg.source === 'missing')
      vlog.warn('video: no ffmpeg found (PATH, GWANJE_FFMPEG, @ffmpeg-installer): snapshots and clips fail');
    else vlog.info({ ffmpeg: ffmpeg.path, source: ffmpeg.source }, 'video: ffmpeg');
    const trustProxy = parseTrustProxy(s.trustProxy);
    const views = new ViewAudit(this.accounts.audit);
    const { repos } = this.store;
    const { commands } = this.ingest;
    const direct = new DirectCameras({
      repos,
      secrets: CameraSecrets.fromFile(s.cameraKeyFile),
      log: log.child({ module: 'cameras' }),
    });
    const gateway = new VideoGateway(
      videoGatewayDeps({
        log,
        auth: this.authModule.auth,
        agentCreds: this.accounts.agentCreds,
        repos,
        commands,
        bus,
        views,
        trustProxy,
        direct,
        alarms: this.alarms.service,
        videoBaseUrl: s.publicUrl,
      }),
      { dataDir: s.dataDir, rtspClient: s.rtspClient, ffmpegPath: ffmpeg.path },
    );
    this.made = { gateway, views, ffmpeg, trustProxy, direct };
    await gateway.start();
    // Issue 20: cameras linked to gas/flame/smoke sensors keep streaming into the clip ring (pre-roll).
    const prealarm = new PrealarmLinks({
      log: vlog,
      sensors: repos.sensors,
      positionLinks: this.alarms.linker,
      gateway,
      max: s.prealarmMax,
    });
    await prealarm.start();
    this.prealarm = prealarm;
    bus.on(this.name, 'sensor.changed', () => prealarm.refresh());
    const plans = this.alarms.plans;
    const zoneOf = async (sensorId: string) => (await plans.positionsOf('sensor', [sensorId])).get(sensorId)?.zone;
    bus.on(this.name, 'alarm.changed', alarmClipListener({ log: vlog, gateway, repos, commands, zoneOf }));
    bus.on(this.name, 'sessions.changed', (ev) => gateway.recheckViewers(ev.username));
    bus.on(this.name, 'agent.revoked', ({ agentId }) => endAgentPushes(agentId, repos, gateway));
  }

  async stop(): Promise<void> {
    this.ctx.bus.off(this.name);
    await this.prealarm?.stop();
    await this.made?.gateway.stop();
    await this.made?.views.stop();
  }
}

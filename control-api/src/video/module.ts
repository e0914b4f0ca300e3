/**
 * Module `video`: the video gateway on the center's port (/video). Viewers by ticket (or token)
 * and site scope for as long as their session lives (auth/gates.ts), every view audited (PIPA);
 * pushes by the owning agent's credentials; camera states go out as `camera.state`. ffmpeg:
 * GWANJE_FFMPEG, else on PATH, else the build shipped in npm (issue 17: a fresh machine). Direct
 * cameras (issue 20) are pulled by the gateway itself, their credentials sealed with the camera key.
 *
 * Several instances (issue 19): the owner of a camera's site relays it, the others take it from
 * the owner over a peer link (peer-link.ts), so a camera has one upstream in the whole cluster.
 *
 * Listens: `alarm.changed` (clips, snapshot and PTZ presets of a hazard alarm, issue 6),
 * `sessions.changed` (viewers re-checked, F4), `agent.revoked` (its pushes end at once).
 */
import { VideoGateway } from '@gwanje/gateway';
import { type FfmpegBinary, resolveFfmpeg } from '@gwanje/media';
import type { AlarmsModule } from '../alarms/module.js';
import type { AccountsModule, AuthModule } from '../auth/module.js';
import type { ClusterModule } from '../cluster/module.js';
import { parseTrustProxy, type TrustProxy } from '../http/client-address.js';
import type { IngestModule } from '../ingest/module.js';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import type { StoreModule } from '../store/module.js';
import { alarmClipListener } from './alarm-clips.js';
import { CameraSecrets } from './camera-secrets.js';
import { DirectCameras } from './direct-cameras.js';
import { DirectOnvif } from './direct-onvif.js';
import { PeerVideoLinks } from './peer-link.js';
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
    onvif: DirectOnvif;
    peers: PeerVideoLinks;
  };

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
    private readonly accounts: AccountsModule,
    private readonly authModule: AuthModule,
    private readonly ingest: IngestModule,
    private readonly alarms: AlarmsModule,
    private readonly cluster: ClusterModule,
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
  /** ONVIF PTZ and events of direct cameras, spoken by the center itself (issue 20). */
  get onvif(): DirectOnvif {
    return started(this.name, 'onvif', this.made?.onvif);
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
    const secrets = CameraSecrets.fromFile(s.cameraKeyFile);
    const direct = new DirectCameras({ repos, secrets, log: log.child({ module: 'cameras' }) });
    const ownership = this.cluster.ownership;
    const onvif = new DirectOnvif({
      repos,
      secrets,
      log: log.child({ module: 'onvif' }),
      alarms: this.alarms.service,
      // Issue 19: in a cluster only the owner of a camera's site subscribes to and polls it.
      sites: () => (ownership.clustered ? ownership.mySites() : '*'),
    });
    const auth = this.authModule.auth;
    let gatewayRef: VideoGateway | undefined;
    const peers = new PeerVideoLinks({
      log: vlog,
      ownership: this.cluster.ownership,
      mintTicket: (instanceId, cameraId) => auth.mintPeerTicket(instanceId, cameraId),
      verifyTicket: (ticket, cameraId) => auth.verifyPeerTicket(ticket, cameraId),
      feed: (cameraId, chunk) => gatewayRef?.feedUpstream(cameraId, chunk) ?? false,
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
        peers,
      }),
      { dataDir: s.dataDir, rtspClient: s.rtspClient, ffmpegPath: ffmpeg.path },
    );
    gatewayRef = gateway;
    this.made = { gateway, views, ffmpeg, trustProxy, direct, onvif, peers };
    await gateway.start();
    onvif.start();
    // Issue 20: cameras linked to gas/flame/smoke sensors keep streaming into the clip ring (pre-roll).
    const prealarm = new PrealarmLinks({
      log: vlog,
      sensors: repos.sensors,
      positionLinks: this.alarms.linker,
      gateway,
      max: s.prealarmMax,
      owns: (siteId) => peers.owns(siteId),
    });
    await prealarm.start();
    this.prealarm = prealarm;
    bus.on(this.name, 'sensor.changed', () => prealarm.refresh());
    // Issue 19: the pre-roll follows the sites this instance owns.
    bus.on(this.name, 'site.owned', () => {
      prealarm.refresh();
      onvif.rescan();
    });
    bus.on(this.name, 'site.released', () => {
      prealarm.refresh();
      onvif.rescan();
    });
    const plans = this.alarms.plans;
    const zoneOf = async (sensorId: string) => (await plans.positionsOf('sensor', [sensorId])).get(sensorId)?.zone;
    bus.on(
      this.name,
      'alarm.changed',
      alarmClipListener({ log: vlog, gateway, repos, commands, zoneOf, bus, direct: onvif }),
    );
    bus.on(this.name, 'sessions.changed', (ev) => gateway.recheckViewers(ev.username));
    bus.on(this.name, 'agent.revoked', ({ agentId }) => endAgentPushes(agentId, repos, gateway));
  }

  async stop(): Promise<void> {
    this.ctx.bus.off(this.name);
    this.made?.onvif.stop();
    await this.prealarm?.stop();
    this.made?.peers.closeAll();
    await this.made?.gateway.stop();
    await this.made?.views.stop();
  }
}

/** The simulated driver: sim/physics.ts on a timer, one reading per sensor per period. */
import type { DriverConfig, SensorConfig } from '@gwanje/firmware-config';
import type { Logger } from 'pino';
import { initialState, mulberry32, type SimState, step } from '../sim/physics.js';
import type { FieldDriver, ReadingSink } from './types.js';

type SimulatedConfig = Extract<DriverConfig, { type: 'simulated' }>;

export class SimulatedDriver implements FieldDriver {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cfg: SimulatedConfig,
    private readonly sensors: SensorConfig[],
    private readonly sink: ReadingSink,
    private readonly deps: { log: Logger; now: () => number },
  ) {}

  get id(): string {
    return this.cfg.id;
  }

  async start(): Promise<void> {
    const rng = mulberry32(this.cfg.seed ?? Math.floor(Math.random() * 2 ** 31));
    const state = initialState(this.sensors, this.deps.now(), this.cfg.incidentEverySec, rng);
    this.timer = setInterval(() => this.tick(rng, state), this.cfg.periodMs);
    this.tick(rng, state);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(rng: () => number, state: SimState): void {
    const now = this.deps.now();
    const before = state.incidents.length;
    for (const { sensor, value } of step(this.sensors, state, now, this.cfg.incidentEverySec, rng)) {
      try {
        this.sink(sensor, { value, ts: now });
      } catch (err) {
        // The agent could not queue it (e.g. disk full); the next period tries again.
        this.deps.log.error(
          { sensorId: sensor.sensorId, err: (err as Error).message },
          'simulated: reading not accepted',
        );
      }
    }
    if (state.incidents.length > before) {
      const inc = state.incidents[state.incidents.length - 1];
      this.deps.log.info({ kind: inc.kind, sensorId: inc.sensorId, peak: inc.peak }, 'simulated: incident started');
    }
  }
}

/** A center event bus for tests that drive modules without a whole center, with the live hub listening as in the center. */
import pino from 'pino';
import { EventBus } from '../../src/bus.js';
import type { LiveHub } from '../../src/live/hub.js';
import { listenLive } from '../../src/live/module.js';

export function testBus(hub?: LiveHub): EventBus {
  const bus = new EventBus(pino({ level: 'silent' }));
  if (hub) listenLive(bus, hub);
  return bus;
}

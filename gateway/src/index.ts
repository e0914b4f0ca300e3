export { type Clock, systemClock } from './clock.js';
export type { SampledFrame } from './frames.js';
export { VideoGateway } from './gateway.js';
export { parseVideoRoute, type VideoRoute } from './routes.js';
export * from './types.js';

export * from './access-units.js';
export * from './h264.js';
export * from './muxer.js';
export * from './packet.js';
export * from './pes.js';
export * from './psi.js';
export * from './segmenter.js';

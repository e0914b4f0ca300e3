/** @gwanje/vision: fire and smoke on camera frames (issue 23). Pure detector code; see README. */
export { type Backbone, type BackboneFiles, createBackbone, FEATURES } from './backbone.js';
export { colourStats, fireMask, fireRegions, isFireColour } from './colour.js';
export { type Box, frameOf, type RgbFrame, resample } from './frame.js';
export { checkHead, type FireHead, headScore } from './head.js';
export { type Analysis, analyse, type Proposal, proposals } from './proposals.js';
export { type FrameScore, FrameScorer, frameScore, type ScoredProposal } from './scorer.js';
export { DEFAULT_SMOKE, type SmokeOptions, type SmokeStep, SmokeTracker } from './smoke.js';
export { DEFAULT_TRACKER, FireTracker, type TrackerOptions, type TrackerStep } from './tracker.js';

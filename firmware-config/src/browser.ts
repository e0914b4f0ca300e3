/**
 * The browser-safe part of the package (no node: modules), for the console's config forms and
 * diff views: `import { configJsonSchema, validateConfig } from '@gwanje/firmware-config/browser'`.
 */
export { type Change, diffConfigs, formatChange, formatDiff } from './diff.js';
export { deepMerge, ID_KEYS, substitute } from './merge.js';
export * from './schema.js';
export { configJsonSchema, UNITS_BY_METRIC, type ValidateResult, validateConfig } from './validate.js';

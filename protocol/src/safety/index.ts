/**
 * The gas-safety vocabulary (issue 15, HOUSE_STYLE "Domain facts ... are one table in
 * protocol/"): gases and exposure limits, metrics and units, the closed list of rule types and
 * how each is evaluated, the default rule set, rule checks and reading verdicts. Browser-safe
 * (no schema library, no Node modules): the console imports it as `@gwanje/protocol/safety`.
 */
export * from './check.js';
export * from './gases.js';
export * from './rule-types.js';
export * from './rules.js';
export * from './units.js';
export * from './verdict.js';

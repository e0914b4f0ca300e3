/** Public surface of the store (see README.md for every repository method). */
export { type Db, type DbDialect, type OpenDatabaseOptions, openDatabase } from './db.js';
export type { AgentCreate, AgentStatusUpdate } from './repos/agents.js';
export type { SensorUpsert } from './repos/sensors.js';
export { parseSeed, Repositories, seedSites } from './repositories.js';
export { createTimeSeriesStore, type TimeSeriesOptions } from './timeseries.js';
export type * from './types.js';

export * from './http.js';
export * from './influxdb.js';
export * from './modbus.js';
export * from './mosquitto.js';
export * from './ports.js';
export * from './postgres.js';
export * from './process.js';
export * from './tls.js';

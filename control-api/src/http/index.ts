export { apiRoutes, createHttpApp, DEFAULT_BODY_LIMIT } from './app.js';
export type * from './deps.js';
export { HttpError } from './errors.js';
export { createCenterServer, type TlsFiles } from './server.js';

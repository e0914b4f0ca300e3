/** Binding ports with an error an operator can act on (CONTRACT: "a port already taken is a clear error naming the variable"). */
import type { Server as NetServer } from 'node:net';

export class PortError extends Error {
  constructor(
    message: string,
    /** The errno code (EADDRINUSE, EACCES, ...), so a caller can choose another port for a taken one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'PortError';
  }
}

export function listenOn(server: NetServer, port: number, host: string, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE')
        reject(new PortError(`${variable}: port ${port} is already in use; set ${variable} to a free port`, err.code));
      else if (err.code === 'EACCES')
        reject(new PortError(`${variable}: no permission to bind port ${port}`, err.code));
      else reject(new PortError(`${variable}: cannot listen on ${host}:${port}: ${err.message}`, err.code));
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export interface Bound {
  port: number;
  /** Set when `port` was taken and a free one was chosen instead (issue 17). */
  takenPort?: number;
}

/**
 * Like listenOn, but when `anyIfTaken` and the port is in use, binds a free port instead and says
 * which port was taken. Used for the embedded broker's default port only (issue 17: Mosquitto
 * often holds 1883 on a newcomer's machine); a port the operator set explicitly stays an error.
 */
export async function listenOrAnyFree(
  server: NetServer,
  port: number,
  host: string,
  variable: string,
  anyIfTaken: boolean,
): Promise<Bound> {
  try {
    return { port: await listenOn(server, port, host, variable) };
  } catch (err) {
    if (!anyIfTaken || !(err instanceof PortError) || err.code !== 'EADDRINUSE' || port === 0) throw err;
    return { port: await listenOn(server, 0, host, variable), takenPort: port };
  }
}

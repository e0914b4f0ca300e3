/** Binding ports with an error an operator can act on (CONTRACT: "a port already taken is a clear error naming the variable"). */
import type { Server as NetServer } from 'node:net';

export class PortError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PortError';
  }
}

export function listenOn(server: NetServer, port: number, host: string, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new PortError(`${variable}: port ${port} is already in use`));
      else if (err.code === 'EACCES') reject(new PortError(`${variable}: no permission to bind port ${port}`));
      else reject(new PortError(`${variable}: cannot listen on ${host}:${port}: ${err.message}`));
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

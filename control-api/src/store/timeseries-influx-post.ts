/**
 * The InfluxDB 1.x `/write` requests of the time-series store, on node:http with a keep-alive
 * agent. Issue 18: fetch (undici) copied every body into a web stream on its way out, a cost per
 * byte of line protocol the center pays for each reading; a Buffer handed to `req.end()` goes to
 * the socket as it is. The agent keeps as many connections as the writer has batches in flight.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What InfluxDB answered: its status and, unless 204, the start of its body (the reason). */
export interface WriteAnswer {
  status: number;
  text: string;
}

const REASON_CHARS = 300;

export class InfluxWritePost {
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;

  constructor(
    private readonly url: URL,
    private readonly headers: Record<string, string>,
    connections: number,
    private readonly timeoutMs = 10_000,
  ) {
    const https = url.protocol === 'https:';
    const o = { keepAlive: true, maxSockets: connections, maxFreeSockets: connections };
    this.agent = https ? new HttpsAgent(o) : new HttpAgent(o);
    this.request = https ? (httpsRequest as typeof httpRequest) : httpRequest;
  }

  /** POSTs one body (line protocol, or gzip'ed line protocol from the spool). Rejects on a network error or timeout. */
  post(body: Buffer, gzip: boolean): Promise<WriteAnswer> {
    return new Promise<WriteAnswer>((resolve, reject) => {
      const req = this.request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          ...this.headers,
          'content-length': String(body.length),
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      req.once('error', reject);
      req.once('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => {
          if (text.length < REASON_CHARS) text += s;
        });
        res.once('error', reject);
        res.once('end', () => resolve({ status, text: text.slice(0, REASON_CHARS) }));
        // A connection cut mid-answer may end the response without an error event: never hang.
        res.once('close', () => {
          if (!res.complete) reject(new Error('timeseries: InfluxDB closed the connection before answering in full'));
        });
      });
      req.end(body);
    });
  }

  /** Closes the idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

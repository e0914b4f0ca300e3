/**
 * The SMPP route against an SMSC on loopback (npm `smpp` server): bind_transceiver, submit_sm,
 * delivery receipt and MO through deliver_sm, rebind after the link drops. Twilio's REST API
 * against a local server (base URL configurable), signed webhooks. Failover in order.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import smppPkg from 'smpp';
import { waitFor } from '../../testkit/index.js';
import { KannelProvider } from '../src/providers/kannel.js';
import { SmppProvider } from '../src/providers/smpp.js';
import { TwilioProvider, twilioSignature } from '../src/providers/twilio.js';
import { type DeliveryReport, type InboundSms, sendWithFailover } from '../src/providers/types.js';
import { log } from './support.js';

interface ServerPdu {
  system_id?: string;
  password?: string;
  destination_addr?: string;
  short_message?: { message?: string };
  message_payload?: { message?: string };
  response(fields?: Record<string, unknown>): unknown;
}
interface ServerSession {
  on(ev: string, fn: (pdu: ServerPdu) => void): void;
  send(pdu: unknown): void;
  deliver_sm(fields: Record<string, unknown>, cb?: () => void): void;
  close(): void;
}
const smpp = smppPkg as unknown as {
  createServer(fn: (s: ServerSession) => void): {
    listen(port: number, host: string, cb: () => void): void;
    address(): AddressInfo;
    close(): void;
  };
};

describe('SMPP 3.4 provider', () => {
  const submitted: Array<{ to: string; text: string }> = [];
  const sessions: ServerSession[] = [];
  let binds = 0;
  let server: ReturnType<typeof smpp.createServer>;
  let provider: SmppProvider;
  const reports: DeliveryReport[] = [];
  const inbound: InboundSms[] = [];

  before(async () => {
    let nextId = 1000;
    server = smpp.createServer((session) => {
      sessions.push(session);
      session.on('bind_transceiver', (pdu) => {
        const ok = pdu.system_id === 'gwanje' && pdu.password === 'pw';
        if (ok) binds++;
        session.send(pdu.response(ok ? {} : { command_status: 0x0d }));
      });
      session.on('enquire_link', (pdu) => session.send(pdu.response()));
      session.on('submit_sm', (pdu) => {
        const id = String(nextId++);
        submitted.push({
          to: pdu.destination_addr ?? '',
          text: pdu.short_message?.message || pdu.message_payload?.message || '',
        });
        session.send(pdu.response({ message_id: id }));
        setTimeout(
          () =>
            session.deliver_sm({
              esm_class: 0x04,
              short_message: `id:${id} sub:001 dlvrd:001 submit date:2611231403 done date:2611231403 stat:DELIVRD err:000 text:`,
            }),
          50,
        );
      });
      session.on('deliver_sm_resp', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    provider = new SmppProvider({
      url: `smpp://127.0.0.1:${server.address().port}`,
      systemId: 'gwanje',
      password: 'pw',
      sourceAddr: '1588',
      log,
      enquireLinkMs: 1000,
    });
    await provider.start({ inbound: (m) => inbound.push(m), report: (r) => reports.push(r) });
    await waitFor(() => provider.isBound(), 5000);
  });
  after(async () => {
    await provider.stop();
    server.close();
  });

  it('submits a Korean message as UCS-2 and records the delivery receipt', async () => {
    const res = await provider.send({
      to: '01011110002',
      text: '[관제P1] 수원 가스고 CH4 62%LEL 확인 1234',
      kind: 'SMS',
      ref: 'n1',
    });
    assert.equal(res.messageId, 'smpp:1000');
    assert.deepEqual(submitted[0], { to: '01011110002', text: '[관제P1] 수원 가스고 CH4 62%LEL 확인 1234' });
    await waitFor(() => reports.length === 1, 5000);
    assert.deepEqual(reports[0], { provider: 'smpp', messageId: 'smpp:1000', status: 'delivered', detail: 'DELIVRD' });
  });

  it('a long message goes in message_payload', async () => {
    const text = '가'.repeat(200);
    await provider.send({ to: '01011110002', text, kind: 'LMS', ref: 'n2' });
    assert.equal(submitted[1].text, text);
  });

  it('an MO deliver_sm is an inbound reply', async () => {
    sessions.at(-1)?.deliver_sm({ source_addr: '01011110001', destination_addr: '1588', short_message: 'ACK 1234' });
    await waitFor(() => inbound.length === 1, 5000);
    assert.deepEqual(inbound[0], { provider: 'smpp', from: '01011110001', to: '1588', text: 'ACK 1234' });
  });

  it('rebinds after the SMSC drops the link', async () => {
    const before = binds;
    sessions.at(-1)?.close();
    await waitFor(() => binds === before + 1 && provider.isBound(), 10_000);
    const res = await provider.send({ to: '01011110002', text: 'after reconnect', kind: 'SMS', ref: 'n3' });
    assert.match(res.messageId, /^smpp:\d+$/);
  });
});

describe('Twilio provider and failover', () => {
  const posted: Array<Record<string, string>> = [];
  let api: ReturnType<typeof createServer>;
  let base: string;
  const body = (req: IncomingMessage) =>
    new Promise<string>((r) => {
      let s = '';
      req.on('data', (c) => {
        s += c;
      });
      req.on('end', () => r(s));
    });

  before(async () => {
    api = createServer(async (req, res) => {
      const auth = Buffer.from(`AC123:tok`).toString('base64');
      if (req.headers.authorization !== `Basic ${auth}`) {
        res.writeHead(401).end('{"message":"auth"}');
        return;
      }
      if (req.method === 'POST' && req.url === '/2010-04-01/Accounts/AC123/Messages.json') {
        posted.push(Object.fromEntries(new URLSearchParams(await body(req))));
        res
          .writeHead(201, { 'content-type': 'application/json' })
          .end(JSON.stringify({ sid: `SM${posted.length}`, status: 'queued' }));
        return;
      }
      res.writeHead(404).end('{}');
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  after(() => api.close());

  it('sends through the REST API and accepts only signed status callbacks', async () => {
    const reports: DeliveryReport[] = [];
    const tw = new TwilioProvider({
      accountSid: 'AC123',
      authToken: 'tok',
      from: '+15005550006',
      baseUrl: base,
      callbackBase: 'https://center.example',
    });
    await tw.start({ inbound: () => {}, report: (r) => reports.push(r) });
    const res = await tw.send({ to: '+821011110002', text: 'hello', kind: 'SMS', ref: 'n1' });
    assert.equal(res.messageId, 'twilio:SM1');
    assert.equal(posted[0].StatusCallback, 'https://center.example/api/v1/sms/twilio/status');
    const params = { MessageSid: 'SM1', MessageStatus: 'delivered' };
    assert.equal(tw.handleStatus(params, 'forged'), false);
    assert.equal(tw.handleStatus(params, twilioSignature('tok', tw.statusCallbackUrl(), params)), true);
    assert.deepEqual(reports, [
      { provider: 'twilio', messageId: 'twilio:SM1', status: 'delivered', detail: 'delivered' },
    ]);
  });

  it('fails over to the next provider when Kannel is down', async () => {
    const deadKannel = new KannelProvider({
      sendsmsUrl: 'http://127.0.0.1:9/cgi-bin/sendsms',
      username: 'u',
      password: 'p',
      from: '1588',
      callbackBase: base,
      callbackKey: 'k',
      timeoutMs: 500,
    });
    const tw = new TwilioProvider({
      accountSid: 'AC123',
      authToken: 'tok',
      from: '+15005550006',
      baseUrl: base,
      callbackBase: base,
    });
    const res = await sendWithFailover([deadKannel, tw], { to: '+821011110002', text: 'x', kind: 'SMS', ref: 'n2' });
    assert.equal(res.provider, 'twilio');
    assert.match(res.errors[0], /^kannel: sendsms unreachable/);
    await assert.rejects(
      sendWithFailover([deadKannel], { to: '1', text: 'x', kind: 'SMS', ref: 'n3' }),
      /every provider failed/,
    );
  });
});

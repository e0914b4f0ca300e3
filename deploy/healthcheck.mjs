#!/usr/bin/env node
// Container healthcheck (docker-compose.yml): exits 0 only when the URL answers 200 within 4 s, so
// the center's 503 (database, time series or broker down: control-api/src/health.ts) fails it.
// On loopback the certificate names the public host, so it is not verified here; nothing secret
// is sent. The body is printed, so `docker inspect` shows what is failing.
//   node deploy/healthcheck.mjs https://127.0.0.1:8443/healthz
const url = new URL(process.argv[2] ?? 'https://127.0.0.1:8443/healthz');
const { get } = await import(url.protocol === 'https:' ? 'node:https' : 'node:http');
const req = get(url, { rejectUnauthorized: false, timeout: 4000 }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (d) => {
    body = (body + d).slice(0, 2000);
  });
  res.on('end', () => {
    process.stdout.write(`${res.statusCode} ${body}\n`);
    process.exit(res.statusCode === 200 ? 0 : 1);
  });
});
req.on('timeout', () => req.destroy(new Error('no answer within 4 s')));
req.on('error', (err) => {
  process.stdout.write(`unhealthy: ${err.message}\n`);
  process.exit(1);
});

#!/usr/bin/env node
// Installs the Debian packages the tests drive for real (listed in README "Test dependencies")
// when a binary they provide is missing, then exits. Needs root or sudo; prints what it does.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDS = [
  // [probe path, Debian packages]
  ['/usr/sbin/mosquitto', ['mosquitto', 'mosquitto-clients']],
  ['/usr/bin/mosquitto_passwd', ['mosquitto']],
  ['/usr/bin/influxd', ['influxdb', 'influxdb-client']],
  ['/usr/bin/ffmpeg', ['ffmpeg']],
  // Issue 19: Socket.IO across center instances (testkit/redis.ts starts its own redis-server).
  ['/usr/bin/redis-server', ['redis-server']],
  ['/usr/bin/chromium', ['chromium']],
  ['/usr/sbin/bearerbox', ['kannel']],
  ['/usr/lib/kannel/test/fakesmsc', ['kannel-extras']],
  ['/usr/bin/docker-compose', ['docker-compose']],
  ['/usr/bin/gst-launch-1.0', ['gstreamer1.0-tools']],
  [
    '/usr/lib/x86_64-linux-gnu/girepository-1.0/GstRtspServer-1.0.typelib',
    [
      'gir1.2-gst-rtsp-server-1.0',
      'gstreamer1.0-plugins-base',
      'gstreamer1.0-plugins-good',
      'gstreamer1.0-plugins-ugly',
      'gstreamer1.0-plugins-bad',
      'gstreamer1.0-libav',
      'python3-gi',
    ],
  ],
  ['/usr/lib/postgresql', ['postgresql']],
  // deploy/tls/make-province-ca.sh and testkit/tls.ts; the dynsec set-up of deploy/mosquitto.
  ['/usr/bin/openssl', ['openssl']],
  ['/usr/bin/mosquitto_ctrl', ['mosquitto']],
  // Issue 21: CAP 1.2 alerts are validated against the OASIS schema with xmllint --schema.
  ['/usr/bin/xmllint', ['libxml2-utils']],
  // Issue 21: a PDF site plan's page is rendered with pdftoppm.
  ['/usr/bin/pdftoppm', ['poppler-utils']],
  // Issue 20: VLC's RTSP server is the second RTSP implementation direct cameras are tested against.
  ['/usr/bin/cvlc', ['vlc-bin', 'vlc-plugin-base']],
];

const missing = [...new Set(NEEDS.filter(([probe]) => !existsSync(probe)).flatMap(([, pkgs]) => pkgs))];
if (missing.length === 0) {
  console.log('test dependencies: all present');
  process.exit(0);
}
const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
console.log(`test dependencies: installing ${missing.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execSync(`${sudo}apt-get update -qq`, { stdio: 'inherit', env });
execSync(`${sudo}apt-get install -y -qq --no-install-recommends ${missing.join(' ')}`, { stdio: 'inherit', env });

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrl } from '@gwanje/protocol';
import { Authenticator, parseChallenge, pickChallenge } from '../../src/rtsp/auth.js';
import { splitCredentials } from '../../src/rtsp/client.js';
import { controlUrl, parameterSets, parseSdp } from '../../src/rtsp/sdp.js';

describe('RTSP Digest and Basic authentication', () => {
  it('computes the RFC 2617 §3.5 example response (MD5, qop=auth)', () => {
    const challenge = parseChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    assert.ok(challenge);
    const a = new Authenticator(challenge, { username: 'Mufasa', password: 'Circle Of Life' }, '0a4f113b');
    const h = a.header('GET', '/dir/index.html');
    assert.match(h, /response="6629fae49393a05397450978507c4ef1"/);
    assert.match(h, /nc=00000001/);
    assert.match(h, /opaque="5ccc069c403ebaf9f0171e9517f40e41"/);
    // The nonce count goes up with each request under the same challenge.
    assert.match(a.header('GET', '/dir/index.html'), /nc=00000002/);
  });

  it('computes the RFC 7616 §3.9.1 examples (SHA-256 and MD5)', () => {
    const params =
      'realm="http-auth@example.org", qop="auth, auth-int", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
    const creds = { username: 'Mufasa', password: 'Circle of Life' };
    const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
    const sha = pickChallenge([`Digest ${params}, algorithm=MD5`, `Digest ${params}, algorithm=SHA-256`]);
    assert.equal(sha?.params.algorithm, 'SHA-256', 'SHA-256 preferred over MD5');
    assert.match(
      new Authenticator(sha as never, creds, cnonce).header('GET', '/dir/index.html'),
      /response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"/,
    );
    const md5 = parseChallenge(`Digest ${params}, algorithm=MD5`);
    assert.match(
      new Authenticator(md5 as never, creds, cnonce).header('GET', '/dir/index.html'),
      /response="8ca523f5e9506fed4657c9700eebdbec"/,
    );
  });

  it('uses the RFC 2069 form without qop, prefers Digest over Basic, skips unknown schemes', () => {
    const c = pickChallenge(['Basic realm="cam"', 'Digest realm="cam", nonce="abc"', 'Bearer x']);
    assert.equal(c?.scheme, 'digest');
    const h = new Authenticator(c as never, { username: 'u', password: 'p' }).header('DESCRIBE', 'rtsp://h/s');
    assert.doesNotMatch(h, /qop|nc=/);
    // MD5(MD5(u:cam:p):abc:MD5(DESCRIBE:rtsp://h/s)), computed with coreutils md5sum.
    assert.equal(
      h,
      'Digest username="u", realm="cam", nonce="abc", uri="rtsp://h/s", response="1711ae2eed4aa9923d2f99f145b2884d"',
    );
    const basic = pickChallenge(['Basic realm="cam"', 'Digest realm="x", nonce="n", algorithm=SHA-512-256-sess']);
    assert.equal(basic?.scheme, 'basic', 'an unsupported digest algorithm is skipped');
    assert.equal(
      new Authenticator(basic as never, { username: 'admin', password: 'pa:ss' }).header('DESCRIBE', 'x'),
      `Basic ${Buffer.from('admin:pa:ss').toString('base64')}`,
    );
    assert.equal(pickChallenge(['Negotiate abc', '']), undefined);
  });

  it('takes credentials out of the URL and redacts passwords', () => {
    const s = splitCredentials('rtsp://ad%40min:p%3Ass@10.0.0.5:554/Streaming/Channels/101?transport=tcp');
    assert.deepEqual(s, {
      url: 'rtsp://10.0.0.5:554/Streaming/Channels/101?transport=tcp',
      username: 'ad@min',
      password: 'p:ss',
    });
    assert.equal(redactUrl('rtsp://admin:secret@cam/x'), 'rtsp://admin:***@cam/x');
    assert.equal(redactUrl('not a url'), '(invalid url)');
  });
});

const SDP = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=Session',
  't=0 0',
  'a=control:*',
  'm=audio 0 RTP/AVP 97',
  'a=rtpmap:97 MPEG4-GENERIC/16000/1',
  'a=control:trackID=2',
  'm=video 0 RTP/AVP 96',
  'a=rtpmap:96 H264/90000',
  'a=fmtp:96 packetization-mode=1;profile-level-id=42C01E;sprop-parameter-sets=Z0LAHtkDxWhAAAADAEAAAAwDxYuS,aMuMsg==',
  'a=control:trackID=1',
  '',
].join('\r\n');

describe('SDP', () => {
  it('finds the H.264 track, its control, clock rate and parameter sets', () => {
    const sdp = parseSdp(SDP);
    assert.equal(sdp.control, '*');
    assert.equal(sdp.media.length, 2);
    const v = sdp.media[1];
    assert.deepEqual(
      [v.type, v.payloadType, v.encoding, v.clockRate, v.control],
      ['video', 96, 'H264', 90000, 'trackID=1'],
    );
    assert.equal(v.fmtp['packetization-mode'], '1');
    const ps = parameterSets(v);
    assert.equal((ps.sps?.[0] ?? 0) & 0x1f, 7);
    assert.equal((ps.pps?.[0] ?? 0) & 0x1f, 8);
    assert.equal(sdp.media[0].encoding, 'MPEG4-GENERIC');
    assert.equal(parseSdp('v=0\nm=video 0 RTP/AVP 26\n').media[0].encoding, 'JPEG', 'static payload type');
  });

  it('resolves control URLs against the base (RFC 2326 §C.1.1)', () => {
    assert.equal(controlUrl('rtsp://h/cam/', 'trackID=1'), 'rtsp://h/cam/trackID=1');
    assert.equal(controlUrl('rtsp://h/cam', 'stream=0'), 'rtsp://h/cam/stream=0');
    assert.equal(controlUrl('rtsp://h/cam', '*'), 'rtsp://h/cam');
    assert.equal(controlUrl('rtsp://h/cam', ''), 'rtsp://h/cam');
    assert.equal(controlUrl('rtsp://h/cam', 'rtsp://other/x/track1'), 'rtsp://other/x/track1');
  });
});

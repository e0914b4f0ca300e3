// Browser side of bench/video/glass.ts: plays /video/cam over MSE (mpegts.js) or WebRTC and reads
// the capture time each presented frame carries (BITS blocks, white = 1) back with a canvas.
/* global mpegts */
const params = new URLSearchParams(location.search);
const W = Number(params.get('w'));
const H = Number(params.get('h'));
const BITS = Number(params.get('bits'));
const BLOCK = Number(params.get('block'));
window.samples = [];
const v = document.getElementById('v');
const ctx = document.getElementById('c').getContext('2d', { willReadFrequently: true });
const ws = (format) => `ws://${location.host}/video/cam?token=x${format ? `&format=${format}` : ''}`;

function onFrame() {
  const now = Date.now();
  ctx.drawImage(v, 0, 0, W, H, 0, 0, W, H);
  const d = ctx.getImageData(0, 0, W, 40).data;
  let ms = 0;
  for (let b = 0; b < BITS; b++) {
    const x = 12 + b * BLOCK + BLOCK / 2;
    const y = 8 + BLOCK / 2;
    ms = ms * 2 + (d[(y * W + x) * 4] > 128 ? 1 : 0);
  }
  if (ms > 1.7e12) window.samples.push(now - ms);
  v.requestVideoFrameCallback(onFrame);
}
v.requestVideoFrameCallback(onFrame);

const mode = params.get('mode');
if (mode === 'webrtc') {
  const pc = new RTCPeerConnection();
  pc.ontrack = (e) => {
    v.srcObject = e.streams[0] ?? new MediaStream([e.track]);
    v.play();
  };
  const sock = new WebSocket(ws('webrtc'));
  sock.onmessage = async (e) => {
    const msg = JSON.parse(e.data);
    if (msg.type !== 'offer') return console.warn('glass: signalling', msg);
    await pc.setRemoteDescription(msg);
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise((r) => {
      if (pc.iceGatheringState === 'complete') r();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r();
    });
    sock.send(JSON.stringify({ type: 'answer', sdp: pc.localDescription.sdp }));
  };
} else {
  const config = JSON.parse(params.get('config'));
  const p = mpegts.createPlayer({ type: 'mpegts', isLive: true, url: ws('') }, config);
  p.attachMediaElement(v);
  p.load();
  p.play();
  // Optional: chase the live edge by seeking when more than `chase` s is buffered ahead.
  const chase = Number(params.get('chase') || 0);
  if (chase > 0)
    setInterval(() => {
      const b = v.buffered;
      if (b.length && b.end(b.length - 1) - v.currentTime > chase) v.currentTime = b.end(b.length - 1) - 0.02;
    }, 100);
}

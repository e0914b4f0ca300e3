/**
 * The alarm horn: a WebAudio oscillator (no asset files), two-tone pulse repeating until stopped.
 * Browsers only start audio after a user gesture; `arm()` is called on the first click/key.
 */
export class AlarmTone {
  private ctx: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  arm(): void {
    if (this.ctx || typeof AudioContext === 'undefined') return;
    this.ctx = new AudioContext();
  }

  start(): void {
    if (this.timer) return;
    this.beep();
    this.timer = setInterval(() => this.beep(), 1200);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private beep(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    if (ctx.state === 'suspended') {
      ctx.resume().catch((err: unknown) => console.warn('tone: audio resume refused', err));
    }
    const t0 = ctx.currentTime;
    for (const [offset, freq] of [
      [0, 880],
      [0.3, 660],
    ] as const) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t0 + offset);
      gain.gain.exponentialRampToValueAtTime(0.15, t0 + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + offset + 0.25);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + offset);
      osc.stop(t0 + offset + 0.27);
    }
  }
}

/** One horn per console: Login arms it on the submit click (a user gesture), the alarm panel drives it. */
export const consoleTone = new AlarmTone();

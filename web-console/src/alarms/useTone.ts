/** Horn state for this console: muted flag persisted in localStorage, tone driven by the alarm set. */
import { useEffect, useState } from 'react';
import { consoleTone as tone } from './tone.js';

const MUTE_KEY = 'gwanje.toneMuted';

export function useTone(needed: boolean): { on: boolean; muted: boolean; setMuted: (m: boolean) => void } {
  const [muted, setMutedState] = useState(() => localStorage.getItem(MUTE_KEY) === '1');
  const on = needed && !muted;
  useEffect(() => {
    const arm = () => tone.arm();
    window.addEventListener('pointerdown', arm, { once: true });
    window.addEventListener('keydown', arm, { once: true });
    return () => {
      window.removeEventListener('pointerdown', arm);
      window.removeEventListener('keydown', arm);
      tone.stop();
    };
  }, []);
  useEffect(() => {
    if (on) tone.start();
    else tone.stop();
  }, [on]);
  const setMuted = (m: boolean) => {
    localStorage.setItem(MUTE_KEY, m ? '1' : '0');
    setMutedState(m);
  };
  return { on, muted, setMuted };
}

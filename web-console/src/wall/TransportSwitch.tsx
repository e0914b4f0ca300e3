/**
 * Per-tile choice of the live transport (issue 20): WebRTC (lowest latency, for steering a PTZ)
 * or MSE (MPEG-TS over the WebSocket, works where UDP is blocked). Kept per camera in this browser.
 */
import { useTranslation } from 'react-i18next';
import type { Transport } from './live-player.js';

export function TransportSwitch({ transport, choose }: { transport: Transport; choose(t: Transport): void }) {
  const { t } = useTranslation();
  const other: Transport = transport === 'webrtc' ? 'mse' : 'webrtc';
  return (
    <button
      type="button"
      className="tile-transport"
      data-transport-switch={transport}
      title={t('videoTransport.switchTo', { transport: t(`videoTransport.${other}`) })}
      onClick={() => choose(other)}
    >
      {t(`videoTransport.${transport}`)}
    </button>
  );
}

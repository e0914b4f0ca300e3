/**
 * The site plan drawn in SVG (issue 21): the uploaded image, each placed camera with its field of
 * view, each placed sensor with its live value and alarm state (colour, glyph and text, as on the
 * province map). Markers are buttons (Tab, Enter). In edit mode a marker is dragged with the
 * pointer or moved with the keyboard (arrows; a camera also [ ] turn, - = angle, , . range) and
 * every move is saved on release.
 */
import type { CameraPosition } from '@gwanje/protocol/schemas/plan.js';
import { type KeyboardEvent, type PointerEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PRIORITY_ICON } from '../alarms/logic.js';
import { nudge, type PlanBox, pointerToPlan, wedgePath } from './geometry.js';

export interface PlacedMarker {
  kind: 'sensor' | 'camera';
  id: string;
  position: CameraPosition & { zone?: string };
  /** Sensor: value and unit; camera: its name. */
  label: string;
  /** Worst standing alarm priority of the device, if any. */
  worst?: 1 | 2 | 3 | 4;
  /** Sensor display state (normal, alarm, fault, stale ...). */
  state?: string;
}

export function PlanCanvas({
  box,
  imageUrl,
  markers,
  editing,
  selected,
  onSelect,
  onActivate,
  onMove,
}: {
  box: PlanBox;
  imageUrl?: string;
  markers: PlacedMarker[];
  editing: boolean;
  selected?: string;
  onSelect: (key: string) => void;
  onActivate: (m: PlacedMarker) => void;
  /** A marker was moved (edit mode): save it. */
  onMove: (m: PlacedMarker, p: CameraPosition) => void;
}) {
  const { t } = useTranslation();
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ key: string; p: CameraPosition } | null>(null);
  const scale = box.w / 1000;
  const keyOf = (m: PlacedMarker) => `${m.kind}:${m.id}`;
  const posOf = (m: PlacedMarker) => (drag?.key === keyOf(m) ? drag.p : m.position);

  const down = (m: PlacedMarker) => (e: PointerEvent<SVGGElement>) => {
    onSelect(keyOf(m));
    if (!editing) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    setDrag({ key: keyOf(m), p: m.position });
  };
  const move = (e: PointerEvent<SVGGElement>) => {
    if (!drag || !svg.current) return;
    setDrag({ ...drag, p: { ...drag.p, ...pointerToPlan(e, svg.current) } });
  };
  const up = (m: PlacedMarker) => () => {
    if (drag?.key === keyOf(m) && (drag.p.x !== m.position.x || drag.p.y !== m.position.y)) onMove(m, drag.p);
    setDrag(null);
  };
  const key = (m: PlacedMarker) => (e: KeyboardEvent<SVGGElement>) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(keyOf(m));
      if (!editing) onActivate(m);
      return;
    }
    if (!editing) return;
    const next = nudge(m.position, e.key, e.shiftKey, m.kind === 'camera');
    if (!next) return;
    e.preventDefault();
    e.stopPropagation();
    onMove(m, next);
  };

  return (
    <svg
      ref={svg}
      className={`plan-canvas${editing ? ' editing' : ''}`}
      viewBox={`0 0 ${box.w} ${box.h}`}
      preserveAspectRatio="xMidYMid meet"
      aria-labelledby="plan-canvas-title"
    >
      <title id="plan-canvas-title">{t('plan.canvas')}</title>
      {imageUrl ? (
        <image href={imageUrl} width={box.w} height={box.h} data-plan-image />
      ) : (
        <rect className="plan-blank" width={box.w} height={box.h} />
      )}
      {markers
        .filter((m) => m.kind === 'camera')
        .map((m) => {
          const d = wedgePath(posOf(m), box);
          return d ? <path key={`fov-${m.id}`} className="plan-fov" d={d} data-fov={m.id} /> : null;
        })}
      {markers.map((m) => {
        const p = posOf(m);
        const k = keyOf(m);
        const tone = m.worst ? `p${m.worst}` : m.state && m.state !== 'normal' ? 'warn' : 'ok';
        const where = t(`plan.kind.${m.kind}`);
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>
          <g
            key={k}
            className={`plan-marker ${m.kind} ${tone}${selected === k ? ' selected' : ''}`}
            data-plan-marker={m.id}
            data-kind={m.kind}
            data-worst={m.worst ?? 'none'}
            transform={`translate(${p.x * box.w},${p.y * box.h}) scale(${scale})`}
            tabIndex={0}
            role="button"
            aria-pressed={selected === k}
            aria-label={`${where} ${m.id}: ${m.label}${m.worst ? `, ${t(`priority.${m.worst}`)}` : ''}`}
            onPointerDown={down(m)}
            onPointerMove={move}
            onPointerUp={up(m)}
            onClick={() => !editing && onActivate(m)}
            onKeyDown={key(m)}
          >
            {m.kind === 'camera' ? <rect x={-13} y={-10} width={26} height={20} rx={4} /> : <circle r={13} />}
            <text className="glyph" textAnchor="middle" dy="0.35em">
              {m.worst ? PRIORITY_ICON[m.worst] : m.kind === 'camera' ? '◉' : ''}
            </text>
            <text className="name" y={30} textAnchor="middle">
              {m.id}
            </text>
            <text className="value" y={50} textAnchor="middle" data-plan-value={m.id}>
              {m.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

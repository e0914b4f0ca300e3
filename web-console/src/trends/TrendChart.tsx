/**
 * uPlot chart of one sensor: min/mean/max band from the readings endpoint, live points appended
 * from `reading` events, setpoint lines. Drag to zoom (x), double-click to reset.
 */
import type { ReadingsResponse } from '@gwanje/protocol/schemas/http.js';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, query } from '../api/http.js';
import { useLiveStore } from '../live/LiveProvider.js';
import type { Setpoints } from './setpoints.js';

export interface TrendProps {
  sensorId: string;
  unit: string;
  from: number;
  to: number;
  step?: number;
  setpoints: Setpoints;
  live: boolean;
  /** chart height in rem */
  height?: number;
  onError?: (msg: string) => void;
}

type Cols = [number[], number[], number[], number[], number[], number[]];
const MAX_POINTS = 5000;

export function TrendChart({ sensorId, unit, from, to, step, setpoints, live, height, onError }: TrendProps) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const store = useLiveStore();

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const cols: Cols = [[], [], [], [], [], []];
    const rem = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    // Fixed height (in rem, so it scales on a 4K wall); the legend below would otherwise feed back into it.
    const h = Math.round((height ?? 22) * rem);
    const line = (label: string, stroke: string, extra: Partial<uPlot.Series> = {}): uPlot.Series => ({
      label,
      stroke,
      width: 0.12 * rem,
      ...extra,
    });
    const plot = new uPlot(
      {
        width: el.clientWidth || 800,
        height: h,
        ms: 1,
        cursor: { drag: { x: true, y: false } },
        scales: { x: { time: true } },
        axes: [
          { stroke: '#9fb0c8', grid: { stroke: '#23304a' }, font: `${0.8 * rem}px sans-serif` },
          { stroke: '#9fb0c8', grid: { stroke: '#23304a' }, label: unit, font: `${0.8 * rem}px sans-serif` },
        ],
        series: [
          { label: t('trends.time') },
          line(t('trends.min'), '#4d6a8f'),
          line(t('trends.mean'), '#7fd1ff', { width: 0.16 * rem }),
          line(t('trends.max'), '#4d6a8f'),
          line(t('trends.low'), '#ffd23f', { dash: [8, 6], points: { show: false } }),
          line(t('trends.high'), '#ff4d4d', { dash: [8, 6], points: { show: false } }),
        ],
      },
      cols,
      el,
    );
    const fill = () => {
      const n = cols[0].length;
      cols[4] = Array<number>(n).fill(setpoints.low ?? Number.NaN);
      cols[5] = Array<number>(n).fill(setpoints.high ?? Number.NaN);
    };
    let alive = true;
    api<ReadingsResponse>('GET', `/sensors/${encodeURIComponent(sensorId)}/readings${query({ from, to, step })}`)
      .then((res) => {
        if (!alive) return;
        for (const [ts, min, mean, max] of res.points ?? []) {
          cols[0].push(ts);
          cols[1].push(min);
          cols[2].push(mean);
          cols[3].push(max);
        }
        fill();
        plot.setData(cols);
        el.dataset.points = String(cols[0].length);
      })
      .catch((err: unknown) => onError?.(err instanceof Error ? err.message : String(err)));
    const off = live
      ? store.onReading(sensorId, (r) => {
          if (cols[0].length && r.ts <= cols[0][cols[0].length - 1]) return;
          cols[0].push(r.ts);
          cols[1].push(r.value);
          cols[2].push(r.value);
          cols[3].push(r.value);
          if (cols[0].length > MAX_POINTS) for (const c of cols.slice(0, 4)) c.shift();
          fill();
          // keep the operator's zoom: only reset the x range when not zoomed in
          plot.setData(cols, plot.select.width === 0 && !zoomed(plot));
          el.dataset.points = String(cols[0].length);
        })
      : () => {};
    const ro = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: h }));
    ro.observe(el);
    return () => {
      alive = false;
      off();
      ro.disconnect();
      plot.destroy();
    };
  }, [sensorId, unit, from, to, step, setpoints.low, setpoints.high, live, height, store, t, onError]);

  return <div className="trend-chart" ref={ref} data-sensor={sensorId} />;
}

function zoomed(plot: uPlot): boolean {
  const x = plot.data[0];
  if (!x || x.length === 0) return false;
  const { min, max } = plot.scales.x;
  return min !== undefined && max !== undefined && (min > x[0] || max < x[x.length - 1]);
}

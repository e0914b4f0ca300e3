/**
 * A hand-simplified outline of Gyeonggi-do (WGS84 lon/lat, ~60 points, accuracy a few km) with
 * Seoul as a hole; Incheon is left outside on the west. Drawn so the console needs no tile server
 * (the control room is offline). Ring order follows d3-geo's spherical convention: exterior
 * clockwise, hole anticlockwise (the reverse of RFC 7946), checked by test/geo.test.ts.
 */
import type { Feature, Polygon } from 'geojson';

const outer: [number, number][] = [
  [126.53, 37.76], // Gimpo, Han river mouth
  [126.62, 37.78],
  [126.68, 37.84], // Paju, Imjin river
  [126.75, 37.9],
  [126.83, 37.96],
  [126.92, 38.0],
  [126.98, 38.07],
  [127.0, 38.16], // Yeoncheon
  [127.06, 38.25],
  [127.16, 38.3],
  [127.27, 38.3],
  [127.35, 38.25],
  [127.42, 38.17], // Pocheon / Cheorwon
  [127.43, 38.07],
  [127.5, 38.0],
  [127.56, 37.98], // Gapyeong / Hwacheon
  [127.62, 37.92],
  [127.67, 37.86],
  [127.7, 37.77],
  [127.66, 37.7], // Gapyeong / Chuncheon
  [127.7, 37.62],
  [127.76, 37.56], // Yangpyeong / Hongcheon
  [127.82, 37.5],
  [127.83, 37.42], // Yangpyeong / Hoengseong, Wonju
  [127.8, 37.33],
  [127.78, 37.25], // Yeoju / Wonju
  [127.73, 37.17],
  [127.65, 37.13], // Yeoju, Icheon / Chungju, Eumseong
  [127.55, 37.07],
  [127.47, 37.02],
  [127.42, 36.96], // Anseong / Jincheon
  [127.35, 36.9],
  [127.27, 36.88],
  [127.18, 36.92], // Pyeongtaek / Cheonan
  [127.08, 36.93],
  [126.98, 36.9],
  [126.88, 36.93], // Asan bay
  [126.82, 36.98],
  [126.77, 37.04],
  [126.7, 37.1], // Hwaseong coast
  [126.64, 37.16],
  [126.62, 37.22],
  [126.66, 37.28],
  [126.7, 37.32], // Ansan / Siheung coast
  [126.73, 37.37], // Siheung / Incheon
  [126.76, 37.43],
  [126.75, 37.48], // Bucheon / Incheon
  [126.76, 37.53],
  [126.72, 37.56], // Gimpo / Incheon Gyeyang
  [126.65, 37.57],
  [126.6, 37.62],
  [126.55, 37.68],
];

const seoul: [number, number][] = [
  [126.79, 37.56],
  [126.84, 37.6],
  [126.9, 37.65],
  [126.97, 37.7],
  [127.05, 37.7],
  [127.1, 37.66],
  [127.11, 37.6],
  [127.17, 37.56],
  [127.16, 37.5],
  [127.1, 37.46],
  [127.04, 37.45],
  [126.99, 37.44],
  [126.93, 37.46],
  [126.89, 37.49],
  [126.83, 37.52],
];

const ring = (pts: [number, number][]): [number, number][] => [...pts, pts[0]];

export const GYEONGGI: Feature<Polygon> = {
  type: 'Feature',
  properties: { name: 'Gyeonggi-do', nameKo: '경기도' },
  geometry: { type: 'Polygon', coordinates: [ring(outer), ring(seoul)] },
};

export const SEOUL_LABEL: [number, number] = [126.98, 37.56];

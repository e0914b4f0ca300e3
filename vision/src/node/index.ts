/** Node side of @gwanje/vision: loading tfjs, the backbone and the committed head; decoding files. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createBackbone } from '../backbone.js';
import { checkHead, type FireHead } from '../head.js';
import { FrameScorer } from '../scorer.js';
import { readBackboneFiles } from './backbone-files.js';
import { loadTf } from './tensorflow.js';

export { readBackboneFiles } from './backbone-files.js';
export { decodeImage, decodeVideo } from './decode.js';
export { loadTf } from './tensorflow.js';

export const HEAD_FILE = fileURLToPath(new URL('../../model/fire-head.json', import.meta.url));

export function readHead(path = HEAD_FILE): FireHead {
  return checkHead(JSON.parse(readFileSync(path, 'utf8')));
}

/** tfjs (wasm), the MobileNetV2 backbone from nsfwjs and the committed head, ready to score frames. */
export async function loadFireScorer(headPath?: string): Promise<FrameScorer> {
  const head = readHead(headPath);
  const tf = await loadTf();
  const backbone = await createBackbone(tf, await readBackboneFiles(), head.inputSize);
  return new FrameScorer(tf, backbone, head);
}

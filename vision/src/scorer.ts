/**
 * FrameScorer: one still frame -> fire score. The whole frame and up to three crops around
 * fire-coloured regions (proposals.ts) go through the backbone in one batch; each gets the head's
 * probability from its features and colour statistics; the frame's score is the highest. Used by
 * the video detector per sampled frame and by the evaluation CLI per image. Compute only (tfjs).
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Backbone, Tf } from './backbone.js';
import { COLOUR_STATS, colourStats } from './colour.js';
import { type Box, type RgbFrame, resampleInto } from './frame.js';
import { type FireHead, headScore } from './head.js';
import { MAX_CROPS, type Proposal, proposals } from './proposals.js';

export interface ScoredProposal extends Proposal {
  score: number;
}

export interface FrameScore {
  /** Highest proposal score, 0..1. */
  score: number;
  /** score >= the head's threshold. */
  flagged: boolean;
  proposals: ScoredProposal[];
}

/** Backbone features + colour statistics of each box, as rows of one Float32Array each. */
export function featureRows(
  tf: Tf,
  backbone: Backbone,
  frame: RgbFrame,
  boxes: Box[],
  statsBoxes: Box[],
): Float32Array[] {
  const s = backbone.size;
  const input = new Float32Array(boxes.length * s * s * 3);
  for (const [i, b] of boxes.entries())
    resampleInto(frame, s, s, b, input.subarray(i * s * s * 3, (i + 1) * s * s * 3));
  const feats = tf.tidy(() => backbone.features(tf.tensor4d(input, [boxes.length, s, s, 3])));
  const flat = feats.dataSync() as Float32Array;
  const width = flat.length / boxes.length;
  feats.dispose();
  return boxes.map((_, i) => {
    const row = new Float32Array(width + COLOUR_STATS);
    row.set(flat.subarray(i * width, (i + 1) * width));
    row.set(colourStats(frame, statsBoxes[i]), width);
    return row;
  });
}

/**
 * A frame's score from its scored proposals: the highest, but only when the colour rule found a
 * flame-coloured region at all. A view with no flame-coloured pixel holds no visible flame, and the
 * whole-frame score alone is least reliable on scenes unlike any seen in training (a green leaf
 * close-up, an overexposed white frame).
 */
export function frameScore(scored: Array<{ kind: Proposal['kind']; score: number }>): number {
  if (!scored.some((p) => p.kind === 'crop')) return 0;
  return Math.max(...scored.map((p) => p.score));
}

export class FrameScorer {
  constructor(
    private readonly tf: Tf,
    private readonly backbone: Backbone,
    readonly head: FireHead,
    private readonly maxCrops = MAX_CROPS,
  ) {
    if (backbone.size !== head.inputSize)
      throw new Error(`vision: head wants ${head.inputSize} px input, backbone has ${backbone.size}`);
  }

  score(frame: RgbFrame, props: Proposal[] = proposals(frame, this.maxCrops)): FrameScore {
    // No flame-coloured region: the frame's score is 0 whatever the model says (frameScore), so
    // the model is not run at all; most frames of most cameras end here.
    if (!props.some((p) => p.kind === 'crop'))
      return { score: 0, flagged: false, proposals: props.map((p) => ({ ...p, score: 0 })) };
    const rows = featureRows(
      this.tf,
      this.backbone,
      frame,
      props.map((p) => p.box),
      props.map((p) => p.region ?? p.box),
    );
    const scored = props.map((p, i) => ({ ...p, score: headScore(this.head, rows[i]) }));
    const score = frameScore(scored);
    return { score, flagged: score >= this.head.threshold, proposals: scored };
  }
}

export type { tfjs };

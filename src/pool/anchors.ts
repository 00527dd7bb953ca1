import type { Position } from './output-options.ts';

/** Where along one axis a Position puts a thing: its start, middle or end. */
export type Anchor = 'start' | 'middle' | 'end';

/** Each Position as an anchor on the x axis, then the y axis. */
export const ANCHORS: Readonly<Record<Position, readonly [x: Anchor, y: Anchor]>> = {
  CENTRE: ['middle', 'middle'],
  TOP: ['middle', 'start'],
  RIGHT_TOP: ['end', 'start'],
  RIGHT: ['end', 'middle'],
  RIGHT_BOTTOM: ['end', 'end'],
  BOTTOM: ['middle', 'end'],
  LEFT_BOTTOM: ['start', 'end'],
  LEFT: ['start', 'middle'],
  LEFT_TOP: ['start', 'start'],
};

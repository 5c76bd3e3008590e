// A whole capture after reading and decoding: what filters, the classifier and widgets consume.
// (Implemented by the capture+decode work; this file fixes the shape everyone builds on.)
import type { CaptureError, CaptureInfo, CapturedFrame } from './capture/types.ts';
import type { Dissection } from './decode/types.ts';

/** A frame that owns its bytes (copied out of the reader's buffer) plus its decoded layers. */
export interface Packet extends CapturedFrame {
  dissection: Dissection;
}

export interface Capture {
  info: CaptureInfo;
  packets: Packet[];
  /** Why reading stopped early; every complete packet before it is in `packets`. */
  error?: CaptureError;
}

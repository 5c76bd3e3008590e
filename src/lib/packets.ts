// A whole capture after reading and decoding: what filters, the classifier and widgets consume.
import type { CaptureError, CaptureInfo, CapturedFrame } from './capture/types.ts';
import type { Dissection } from './decode/types.ts';
import type { PacketStore } from './store/packet-store.ts';

/** A frame that owns its bytes (copied out of the reader's buffer) plus its decoded layers. */
export interface Packet extends CapturedFrame {
  dissection: Dissection;
}

export interface Capture {
  info: CaptureInfo;
  packets: Packet[];
  /**
   * The same packets as columns, for the hot paths (filters, TCP analysis, verdicts). Set by
   * the loaders; `storeOf(capture)` builds it for a capture assembled by hand.
   */
  store?: PacketStore;
  /** Why reading stopped early; every complete packet before it is in `packets`. */
  error?: CaptureError;
}

/**
 * A plain object with a packet's frame fields. Packets from a loaded capture are handles on the
 * packet store whose fields are getters, so spreading one (`{ ...packet }`) copies nothing.
 */
export function frameOf(packet: CapturedFrame): CapturedFrame {
  const frame: CapturedFrame = {
    number: packet.number,
    seconds: packet.seconds,
    nanoseconds: packet.nanoseconds,
    capturedLength: packet.capturedLength,
    originalLength: packet.originalLength,
    linkType: packet.linkType,
    interfaceId: packet.interfaceId,
    data: packet.data,
  };
  if (packet.direction) frame.direction = packet.direction;
  if (packet.comments) frame.comments = packet.comments;
  if (packet.pktmon) frame.pktmon = packet.pktmon;
  return frame;
}

import { DecodedPacket, decodeIp } from './ip.js';
import { locateNetworkLayer, Network, NetworkLayer } from './link-layer.js';
import type { PacketView } from './packet-view.js';

/**
 * Decodes packets to their flow fields: link layer, then IP. One instance per reader keeps its
 * scratch objects, so decoding allocates nothing per packet.
 */
export class PacketDecoder {
  readonly result = new DecodedPacket();
  private readonly network = new NetworkLayer();

  /** Returns the decoded fields (valid until the next call), or null for a frame without IP. */
  decode(packet: PacketView): DecodedPacket | null {
    const start = packet.offset;
    const end = start + packet.capturedLength;
    locateNetworkLayer(packet.bytes, start, end, packet.iface.linkType, this.network);
    if (this.network.kind === Network.NONE) return null;
    return decodeIp(packet.bytes, this.network.offset, end, this.network.kind, this.result)
      ? this.result
      : null;
  }
}

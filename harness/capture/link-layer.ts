import { u16be, u32be, u32le } from './bytes.js';

/** LINKTYPE_* values (as stored in pcap and pcapng files) that the reader decodes. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  /** DLT_RAW as some platforms number it (12 on most BSDs, 14 on OpenBSD). */
  RAW_BSD: 12,
  RAW_OPENBSD: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** What the link layer says the network layer is. */
export const Network = {
  NONE: 0,
  /** "IP": the version nibble decides (raw IP link types). */
  IP: 1,
  IPV4: 4,
  IPV6: 6,
} as const;

/** Output of `locateNetworkLayer`, reused across packets. */
export class NetworkLayer {
  offset = 0;
  kind: number = Network.NONE;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;
/** EtherType values up to this are 802.3 lengths: an LLC header follows. */
const MAX_802_3_LENGTH = 1500;
/** Linux ARPHRD_NETLINK: cooked captures of netlink carry netlink messages, never IP. */
const ARPHRD_NETLINK = 824;

const BSD_AF_INET = 2;
/** AF_INET6 differs per BSD: NetBSD/OpenBSD 24, FreeBSD 28, macOS 30. */
const BSD_AF_INET6 = new Set([24, 28, 30]);

/**
 * Finds the network-layer header of a frame captured with `linkType`, walking VLAN tags and LLC/SNAP
 * where the link layer has them. Sets `out.kind` to NONE for frames that carry no IP.
 */
export function locateNetworkLayer(
  b: Uint8Array,
  start: number,
  end: number,
  linkType: number,
  out: NetworkLayer,
): void {
  out.kind = Network.NONE;
  switch (linkType) {
    case LinkType.ETHERNET:
      if (end - start >= 14) fromEthertype(b, start + 14, end, u16be(b, start + 12), out);
      return;
    case LinkType.LINUX_SLL:
      // packet type(2) ARPHRD(2) address length(2) address(8) protocol(2)
      if (end - start >= 16 && u16be(b, start + 2) !== ARPHRD_NETLINK) {
        fromEthertype(b, start + 16, end, u16be(b, start + 14), out);
      }
      return;
    case LinkType.LINUX_SLL2:
      // protocol(2) reserved(2) interface index(4) ARPHRD(2) packet type(1) address length(1) address(8)
      if (end - start >= 20 && u16be(b, start + 8) !== ARPHRD_NETLINK) {
        fromEthertype(b, start + 20, end, u16be(b, start), out);
      }
      return;
    case LinkType.RAW:
    case LinkType.RAW_BSD:
    case LinkType.RAW_OPENBSD:
      out.offset = start;
      out.kind = Network.IP;
      return;
    case LinkType.IPV4:
      out.offset = start;
      out.kind = Network.IPV4;
      return;
    case LinkType.IPV6:
      out.offset = start;
      out.kind = Network.IPV6;
      return;
    case LinkType.NULL: {
      if (end - start < 4) return;
      // The family is in the capturing host's byte order. Family numbers are small, so a value with
      // its upper half set was written by a host of the other byte order.
      let family = u32le(b, start);
      if ((family & 0xffff0000) !== 0) family = u32be(b, start);
      fromAddressFamily(start + 4, family, out);
      return;
    }
    case LinkType.LOOP:
      if (end - start >= 4) fromAddressFamily(start + 4, u32be(b, start), out);
      return;
  }
}

function fromAddressFamily(offset: number, family: number, out: NetworkLayer): void {
  if (family === BSD_AF_INET) {
    out.offset = offset;
    out.kind = Network.IPV4;
  } else if (BSD_AF_INET6.has(family)) {
    out.offset = offset;
    out.kind = Network.IPV6;
  }
}

/** Follows an EtherType through any stack of 802.1Q / 802.1ad tags and LLC/SNAP to IP. */
function fromEthertype(
  b: Uint8Array,
  offset: number,
  end: number,
  ethertype: number,
  out: NetworkLayer,
): void {
  let p = offset;
  let type = ethertype;
  // Every step consumes at least four bytes, so this ends within the frame.
  for (;;) {
    if (type === ETHERTYPE_IPV4) {
      out.offset = p;
      out.kind = Network.IPV4;
      return;
    }
    if (type === ETHERTYPE_IPV6) {
      out.offset = p;
      out.kind = Network.IPV6;
      return;
    }
    if (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
      // tag control information(2) then the next EtherType(2)
      if (end - p < 4) return;
      type = u16be(b, p + 2);
      p += 4;
    } else if (type <= MAX_802_3_LENGTH) {
      // 802.2 LLC with a SNAP header (AA AA 03, OUI 00-00-00 or 00-00-F8) carries an EtherType.
      if (end - p < 8 || b[p] !== 0xaa || b[p + 1] !== 0xaa || b[p + 2] !== 0x03) return;
      if (b[p + 3] !== 0 || b[p + 4] !== 0 || (b[p + 5] !== 0 && b[p + 5] !== 0xf8)) return;
      type = u16be(b, p + 6);
      p += 8;
    } else {
      return;
    }
  }
}

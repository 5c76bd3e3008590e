// Names of link-layer header types (pcap LINKTYPE_* registry), for messages about frames we
// cannot decode. Only the ones a capture is likely to contain; others print as a number.
const LINK_TYPE_NAMES: Record<number, string> = {
  0: 'BSD loopback',
  1: 'Ethernet',
  6: 'Token Ring',
  8: 'SLIP',
  9: 'PPP',
  10: 'FDDI',
  12: 'raw IP',
  14: 'raw IP',
  50: 'PPP in HDLC framing',
  51: 'PPPoE',
  101: 'raw IP',
  104: 'Cisco HDLC',
  105: 'IEEE 802.11',
  107: 'Frame Relay',
  108: 'OpenBSD loopback',
  113: 'Linux cooked v1',
  117: 'OpenBSD pflog',
  119: 'IEEE 802.11 with Prism header',
  127: 'IEEE 802.11 with radiotap header',
  129: 'ARCNET (Linux)',
  138: 'Apple IP over IEEE 1394',
  139: 'MTP2 with pseudo-header',
  143: 'DOCSIS',
  163: 'IEEE 802.11 with AVS header',
  192: 'IEEE 802.11 with PPI header',
  195: 'IEEE 802.15.4',
  201: 'Bluetooth HCI with pseudo-header',
  204: 'PPP with direction',
  215: 'IEEE 802.15.4 without FCS',
  220: 'Linux USB (memory-mapped)',
  228: 'raw IPv4',
  229: 'raw IPv6',
  231: 'D-Bus',
  239: 'Linux netfilter NFLOG',
  242: 'Linux vsock',
  249: 'Apple PKTAP',
  274: 'Ethernet with 802.3br preamble',
  276: 'Linux cooked v2',
};

export function linkTypeName(linkType: number): string | undefined {
  if (linkType >= 147 && linkType <= 162) return `user-defined ${linkType - 147}`;
  return LINK_TYPE_NAMES[linkType];
}

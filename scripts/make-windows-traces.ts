// Writes the Windows views of the article's scenario 1 (RDP blocked by the server's Windows
// Firewall) with the project's own test writers, from the reconstructed server-side capture:
//   public/traces/article-blocked-server-pktmon.etl   the same packets as pktmon records them
//     by default (compressed buffers), each logged at the network adapter, the WFP filter and
//     TCPIP; the SYNs logged as dropped at TCPIP (event 170, DropReason 8 "Filtered"), as the
//     firewall's drop shows up in a pktmon capture;
//   public/traces/article-blocked-server.pfirewall.log   the server's Windows Firewall log for
//     the same SYNs (local time UTC+01:00), as Set-NetFirewallProfile -LogBlocked True writes it.
// Run from the repository root (needs tshark for the log): npm exec -- tsx scripts/make-windows-traces.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { pcapngFrames } from '../tests/etl/pcapng-frames.ts';
import { unixNsToFiletime, writeEtl, type PacketIn, type PktmonComponentIn } from '../tests/etl/write-etl.ts';
import { firewallLogFor } from '../tests/firewall/write-firewall-log.ts';

const SOURCE = 'public/traces/article-blocked-server.pcapng';
const SERVER = '10.0.0.2';

const COMPONENTS: PktmonComponentIn[] = [
  { id: 5, type: 2, name: 'Microsoft Hyper-V Network Adapter', description: 'Miniport' },
  { id: 9, type: 3, name: 'WFP Native MAC Layer LightWeight Filter', description: 'Filter' },
  { id: 12, type: 4, name: 'TCPIP', description: 'Protocol' },
];

const frames = pcapngFrames(new Uint8Array(readFileSync(SOURCE)));
const packets: PacketIn[] = frames.map((f) => {
  const toServer = f.data[30] === 10 && f.data[31] === 0 && f.data[32] === 0 && f.data[33] === 2;
  const syn = f.data[14 + 20 + 13] === 0x02;
  return {
    data: f.data,
    filetime: unixNsToFiletime(f.timeNs),
    direction: toServer ? 'received' : 'sent',
    lowerIfIndex: 7,
    miniportIfIndex: 7,
    cpu: 0,
    pktmon: {
      componentIds: toServer ? [5, 9, 12] : [12, 9, 5],
      firstDirTag: toServer ? 3 : 2,
      ...(toServer && syn ? { drop: { appearance: 2, reason: 8, location: 0xe0004138 } } : {}),
    },
  };
});
const etl = writeEtl(packets, { bufferSize: 16384, compress: true, pktmonComponents: COMPONENTS });
writeFileSync('public/traces/article-blocked-server-pktmon.etl', etl.bytes);
writeFileSync('public/traces/article-blocked-server.pfirewall.log', firewallLogFor(SOURCE, SERVER, 60));
console.log(
  `${packets.length} packets → article-blocked-server-pktmon.etl (${etl.bytes.length} bytes); pfirewall.log written`,
);

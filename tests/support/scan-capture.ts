// A port scan of `attempts` ports written with the project's own writers (practice/frames.ts's
// packets, capture/write-pcapng.ts's file): big enough to page through in a browser test, made
// in a few hundred milliseconds. One client, 10.0.0.1, scans 10.0.0.2 from port 1000 up, one
// SYN every half millisecond; by port: two in five refused (RST/ACK), one in five open (SYN/ACK,
// then the scanner's RST, as nmap's SYN scan does), two in five never answered.
import { PcapngWriter } from '../../src/lib/capture/write-pcapng.ts';
import {
  ETHERTYPE_IPV4,
  PROTOCOL_TCP,
  TCP_ACK,
  TCP_RST,
  TCP_SYN,
  ethernetFrame,
  ipDatagram,
  tcpBytes,
} from '../../src/lib/practice/frames.ts';

const CLIENT = Uint8Array.of(10, 0, 0, 1);
const SERVER = Uint8Array.of(10, 0, 0, 2);
const CLIENT_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 1);
const SERVER_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 2);
const START = 1_765_000_000;

export function scanCapture(attempts: number): Uint8Array {
  const writer = new PcapngWriter({ userApplication: 'porttrace tests' });
  const iface = writer.addInterface({ linkType: 1, decimalResolution: 9 });
  let ipId = 0;
  const send = (nanos: number, fromClient: boolean, port: number, seq: number, ack: number, flags: number) => {
    const transport = tcpBytes({
      sourcePort: fromClient ? 45000 : port,
      destinationPort: fromClient ? port : 45000,
      seq,
      ack,
      flags,
      window: flags & TCP_RST ? 0 : 1024,
    });
    const datagram = ipDatagram(
      {
        source: fromClient ? CLIENT : SERVER,
        destination: fromClient ? SERVER : CLIENT,
        protocol: PROTOCOL_TCP,
        transport,
        ttl: 64,
        ipId: ipId++,
        dontFragment: true,
      },
      'complete',
    );
    const frame = ethernetFrame(
      fromClient ? SERVER_MAC : CLIENT_MAC,
      fromClient ? CLIENT_MAC : SERVER_MAC,
      ETHERTYPE_IPV4,
      datagram,
      true,
    );
    writer.addPacket({
      interfaceId: iface,
      seconds: START + Math.floor(nanos / 1e9),
      nanoseconds: nanos % 1e9,
      data: frame,
    });
  };
  for (let i = 0; i < attempts; i++) {
    const port = 1000 + i;
    const at = i * 500_000;
    const isn = (i * 2654435761) >>> 0;
    send(at, true, port, isn, 0, TCP_SYN);
    const kind = i % 5;
    if (kind <= 1) send(at + 100_000, false, port, 0, isn + 1, TCP_RST | TCP_ACK);
    else if (kind === 2) {
      const serverIsn = (isn ^ 0x5a5a5a5a) >>> 0;
      send(at + 100_000, false, port, serverIsn, isn + 1, TCP_SYN | TCP_ACK);
      send(at + 200_000, true, port, isn + 1, 0, TCP_RST);
    }
  }
  return writer.toBytes();
}

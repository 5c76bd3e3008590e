// Port → IANA service name. Wireshark-style output uses the short name ("ms-wbt-server"),
// Network Monitor-style the description ("MS WBT Server"). The table is parsed on first use.
import { SERVICES_TABLE } from './services.generated.ts';

export interface ServiceName {
  name: string;
  description: string;
}

let tcpServices: Map<number, ServiceName> | undefined;
let udpServices: Map<number, ServiceName> | undefined;

function load(): void {
  tcpServices = new Map();
  udpServices = new Map();
  for (const line of SERVICES_TABLE.split('\n')) {
    const [portText, protocols, name, description] = line.split('\t');
    const entry = { name, description };
    const port = Number(portText);
    if (protocols !== 'u') tcpServices.set(port, entry);
    if (protocols !== 't') udpServices.set(port, entry);
  }
}

export function serviceName(protocol: 'tcp' | 'udp', port: number): ServiceName | undefined {
  if (tcpServices === undefined) load();
  return (protocol === 'tcp' ? tcpServices : udpServices)!.get(port);
}

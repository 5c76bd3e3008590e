// Teaching hints: what the user probably meant. tshark says *what* is wrong; these say what to
// type instead, in terms a Wireshark or Network Monitor user already knows.
import { fieldList, fieldRegistry } from '../fields/registry.ts';
import type { Token } from './lexer.ts';

/**
 * Network Monitor filter spellings the lessons' readers will type, and their Wireshark
 * equivalents. Keys are compared without case: NetMon itself ignores it.
 */
export const NETWORK_MONITOR: Readonly<Record<string, string>> = {
  'property.tcpsynretransmit': 'tcp.analysis.retransmission && tcp.flags.syn==1',
  'property.tcpretransmit': 'tcp.analysis.retransmission',
  'property.tcppayloadlength': 'tcp.len',
  'property.tcpseqnumber': 'tcp.seq',
  'property.tcpacknumber': 'tcp.ack',
  'tcp.flags.syn': 'tcp.flags.syn==1',
  'tcp.flags.ack': 'tcp.flags.ack==1',
  'tcp.flags.reset': 'tcp.flags.reset==1',
  'tcp.flags.fin': 'tcp.flags.fin==1',
  'tcp.flags.push': 'tcp.flags.push==1',
  'tcp.port': 'tcp.port',
  'tcp.srcport': 'tcp.srcport',
  'tcp.dstport': 'tcp.dstport',
  'tcp.sequencenumber': 'tcp.seq',
  'tcp.acknowledgementnumber': 'tcp.ack',
  'tcp.window': 'tcp.window_size_value',
  'udp.port': 'udp.port',
  'udp.srcport': 'udp.srcport',
  'udp.dstport': 'udp.dstport',
  'ipv4.address': 'ip.addr',
  'ipv4.sourceaddress': 'ip.src',
  'ipv4.destinationaddress': 'ip.dst',
  'ipv4.timetolive': 'ip.ttl',
  'ipv4.nextprotocol': 'ip.proto',
  'ipv6.address': 'ipv6.addr',
  'ipv6.sourceaddress': 'ipv6.src',
  'ipv6.destinationaddress': 'ipv6.dst',
  'ethernet.address': 'eth.addr',
  'ethernet.sourceaddress': 'eth.src',
  'ethernet.destinationaddress': 'eth.dst',
  'ethernet.ethertype': 'eth.type',
  ipv4: 'ip',
  ethernet: 'eth',
  'icmp.type': 'icmp.type',
  'icmp.code': 'icmp.code',
};

/**
 * Protocols Wireshark dissects that porttrace does not: naming one is not a typo, so say so
 * instead of suggesting a similar field.
 */
export const WIRESHARK_ONLY_PROTOCOLS = new Set([
  'http2',
  'ssl',
  'mdns',
  'bootp',
  'smb',
  'nbns',
  'nbss',
  'netbios',
  'ftp',
  'ftp-data',
  'smtp',
  'pop',
  'imap',
  'snmp',
  'ldap',
  'sip',
  'rtp',
  'quic',
  'llmnr',
  'ssdp',
  'stp',
  'cdp',
  'lldp',
  'igmp',
  'gre',
  'esp',
  'ah',
  'ospf',
  'bgp',
  'rip',
  'vrrp',
  'radius',
  'telnet',
  'data',
  'mpls',
  'dcerpc',
  'epm',
  'msrpc',
  'wlan',
  'radiotap',
  'ppp',
  'pppoe',
  'llc',
  'sctp',
  'syslog',
  'tftp',
  'nfs',
  'rpc',
  'browser',
]);

export function levenshtein(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length];
}

/** Up to three registered names closest to `name` (edit distance ≤ 2, or ≤ 3 for long names). */
export function nearestFieldNames(name: string): string[] {
  const limit = name.length > 12 ? 3 : 2;
  const scored: Array<[string, number]> = [];
  for (const field of fieldList) {
    const d = levenshtein(name, field.name, limit);
    if (d <= limit) scored.push([field.name, d]);
  }
  // A name that extends what was typed (tcp.flag → tcp.flags) is also a good guess.
  if (scored.length === 0 && name.includes('.')) {
    for (const field of fieldList)
      if (field.name.startsWith(name)) scored.push([field.name, field.name.length - name.length]);
  }
  scored.sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]));
  return scored.slice(0, 3).map(([n]) => n);
}

/** A hint for a name that is not a field, or undefined when we have nothing useful to say. */
export function hintForUnknownName(name: string): string | undefined {
  const netmon = NETWORK_MONITOR[name.toLowerCase()];
  if (netmon !== undefined && netmon !== name) {
    return `That is Network Monitor's spelling. In Wireshark write: ${netmon}`;
  }
  const lower = name.toLowerCase();
  if (lower !== name && fieldRegistry.has(lower)) return `Wireshark field names are lowercase: ${lower}`;
  if (WIRESHARK_ONLY_PROTOCOLS.has(lower)) {
    return `Wireshark decodes ${lower}; porttrace stops at TCP/UDP. Filter on the port instead, e.g. tcp.port == 80.`;
  }
  const near = nearestFieldNames(name);
  if (near.length === 0 && lower !== name) near.push(...nearestFieldNames(lower));
  if (near.length > 0) return `Did you mean ${near.join(' or ')}?`;
  return undefined;
}

const BPF_WORDS = new Set(['host', 'port', 'net', 'src', 'dst', 'portrange', 'ether', 'proto']);

/**
 * Capture-filter (BPF) primitives, as typed into tcpdump, dumpcap -f or Wireshark's capture
 * options, translated into the display filter that shows the same packets.
 */
function translateBpf(tokens: Token[]): string | undefined {
  const words = tokens.filter((t) => t.kind !== 'end').map((t) => t.text);
  if (!words.some((w) => BPF_WORDS.has(w))) return undefined;
  const i = words.findIndex((w) => w === 'port' || w === 'host' || w === 'net');
  if (i < 0 || i + 1 >= words.length) return undefined;
  const value = words[i + 1];
  const qualifiers = words.slice(0, i);
  const direction = qualifiers.includes('src') ? 'src' : qualifiers.includes('dst') ? 'dst' : undefined;
  if (words[i] === 'port') {
    const protocols = qualifiers.includes('tcp') ? ['tcp'] : qualifiers.includes('udp') ? ['udp'] : ['tcp', 'udp'];
    return protocols.map((p) => `${p}.${direction ? `${direction}port` : 'port'} == ${value}`).join(' || ');
  }
  const family = value.includes(':') ? 'ipv6' : 'ip';
  return `${family}.${direction ?? 'addr'} == ${value}`;
}

/** A hint for tshark's "was unexpected" / "Unexpected end" errors, from the tokens around. */
export function hintForUnexpected(tokens: Token[], position: number): string | undefined {
  const t = tokens[Math.min(position, tokens.length - 1)];
  const before = tokens[position - 1];
  const bpf = translateBpf(tokens);
  if (bpf !== undefined) {
    return `That is capture-filter syntax (tcpdump, dumpcap -f). As a display filter write: ${bpf}`;
  }
  if (t.kind === 'end') {
    let depth = 0;
    for (const tok of tokens) {
      if (tok.kind === 'op' && tok.text === '(') depth++;
      if (tok.kind === 'op' && tok.text === ')') depth--;
    }
    if (depth > 0) return 'A "(" is never closed: add ")" at the end.';
    if (
      tokens.some((tok) => tok.kind === 'op' && tok.text === '{') &&
      !tokens.some((tok) => tok.kind === 'op' && tok.text === '}')
    ) {
      return 'A set is never closed: add "}", e.g. tcp.port in {80, 443}.';
    }
    if (before !== undefined) {
      if (['&&', '||', 'and', 'or'].includes(before.text))
        return `The filter ends with "${before.text}": add the condition that follows it, or remove it.`;
      if (before.text === '!' || before.text === 'not')
        return `"${before.text}" needs a condition after it, e.g. !tcp.flags.ack.`;
      if (
        [
          '==',
          '!=',
          '===',
          '!==',
          '>',
          '<',
          '>=',
          '<=',
          'eq',
          'ne',
          'gt',
          'lt',
          'ge',
          'le',
          'contains',
          'matches',
          '~',
        ].includes(before.text)
      ) {
        return `Add the value to compare with, e.g. tcp.port ${before.text} 3389.`;
      }
    }
    return undefined;
  }
  if (before?.kind === 'word' && before.text === 'in' && t.text !== '{')
    return 'The values go in braces: tcp.port in {80, 443}';
  if (t.text === '=') return 'Use == to compare: a single "=" is not an operator in Wireshark filters.';
  if (t.text === '|') return 'Use || (or "or") between two conditions.';
  if (t.text === '&' && before?.text === '&&') return 'Use && (two ampersands) between two conditions.';
  if (t.kind === 'word' && ['and', 'or', 'not'].includes(t.text.toLowerCase()) && t.text !== t.text.toLowerCase()) {
    return `Wireshark's logical operators are lowercase (Network Monitor writes ${t.text}): use ${t.text.toLowerCase()} or ${t.text.toLowerCase() === 'and' ? '&&' : t.text.toLowerCase() === 'or' ? '||' : '!'}.`;
  }
  // Inside `{ … }` a value right after another value: the commas are missing (Wireshark < 4.0 used spaces).
  let setDepth = 0;
  for (let i = 0; i < position; i++) {
    const tok = tokens[i];
    if (tok.kind === 'op' && tok.text === '{') setDepth++;
    if (tok.kind === 'op' && tok.text === '}') setDepth--;
  }
  if (
    setDepth > 0 &&
    before !== undefined &&
    (before.kind === 'word' || before.kind === 'string') &&
    (t.kind === 'word' || t.kind === 'string')
  ) {
    return 'Separate the values of a set with commas: tcp.port in {80, 443, 8000..8080}.';
  }
  if (setDepth > 0 && t.text === '}' && before?.text === ',') return 'Remove the comma before "}".';
  if (t.text === ')' && !tokens.slice(0, position).some((tok) => tok.text === '('))
    return 'This ")" has no "(" before it.';
  if (
    (t.kind === 'word' || t.kind === 'string' || t.text === '(' || t.text === '!') &&
    before !== undefined &&
    before.kind !== 'op'
  ) {
    return 'Two conditions need && (and) or || (or) between them.';
  }
  return undefined;
}

/**
 * `tcp.port == 80 or 443`: the second value stands alone, which Wireshark reads as a field
 * name. Say how to test several values.
 */
export function hintForLoneValue(field: string, first: string, value: string, op: 'and' | 'or'): string {
  if (op === 'or')
    return `To match several values, name the field each time (${field} == ${first} || ${field} == ${value}) or use a set: ${field} in {${first}, ${value}}`;
  return `Each condition needs its field: ${field} == ${first} && ${field} == ${value}`;
}

const FLAG_ALIASES: Record<string, string> = {
  rst: 'reset',
  psh: 'push',
  fin: 'fin',
  syn: 'syn',
  ack: 'ack',
  urg: 'urg',
  ece: 'ece',
  cwr: 'cwr',
};

/** `tcp.flags == SYN`: a flag name where a number is expected. */
export function hintForFlagName(field: string, word: string): string | undefined {
  const flag = FLAG_ALIASES[word.toLowerCase()];
  if (field !== 'tcp.flags' || flag === undefined) return undefined;
  return `tcp.flags is all the flag bits as one number: test one flag with tcp.flags.${flag} == 1, or the whole set with e.g. tcp.flags == 0x002 (SYN only) or 0x012 (SYN+ACK).`;
}

// The Windows Firewall log (pfirewall.log): W3C extended log format, as Windows Defender Firewall
// writes it when "Log dropped packets" is on (Set-NetFirewallProfile -LogBlocked True):
//   #Version: 1.5
//   #Software: Microsoft Windows Firewall
//   #Time Format: Local
//   #Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path [pid]
//   2024-01-15 10:31:02 DROP TCP 10.0.0.1 10.0.0.2 57475 3389 52 S 1234567 0 64240 - - - RECEIVE 4
// Fields are separated by single spaces, "-" is an empty value, and the #Fields line decides the
// columns (later Windows versions append pid). Times are the host's local time (or UTC when
// "#Time Format" says so), to the second. Bad lines give a warning with their line number and
// are skipped; nothing in the text can make the parser throw.
import { formatIPv6 } from '../describe/addresses.ts';
import { parseIPv6 } from '../filter/literals.ts';
import { thousands } from '../describe/thousands.ts';

export interface FirewallLogEntry {
  /** 1-based line number in the file. */
  line: number;
  /** As written: "2024-01-15" and "10:31:02" (a fraction is kept if present). */
  date: string;
  time: string;
  /** Seconds since 1970 of the date and time read as if they were UTC (see `timeFormat`). */
  clockSeconds: number;
  /** ALLOW, DROP, INFO-EVENTS-LOST, … (upper case). */
  action: string;
  /** TCP, UDP, ICMP, or a protocol number as written. */
  protocol: string;
  srcIp?: string;
  dstIp?: string;
  srcPort?: number;
  dstPort?: number;
  size?: number;
  /** TCP flags as letters (S = SYN, A = ACK, F, R, P, U). */
  tcpFlags?: string;
  /** TCP sequence number (tcpsyn) and acknowledgment number (tcpack). */
  tcpSyn?: number;
  tcpAck?: number;
  /** SEND, RECEIVE, FORWARD. */
  path?: string;
  pid?: number;
}

export interface FirewallLogWarning {
  line: number;
  message: string;
}

export interface FirewallLog {
  entries: FirewallLogEntry[];
  warnings: FirewallLogWarning[];
  /** From "#Time Format:": 'local' (Windows' default) or 'utc'. */
  timeFormat: 'local' | 'utc';
  fields: string[];
}

/** Windows' default columns, used until (or without) a #Fields line (pid: Windows 10 and later). */
export const DEFAULT_FIREWALL_FIELDS = [
  'date',
  'time',
  'action',
  'protocol',
  'src-ip',
  'dst-ip',
  'src-port',
  'dst-port',
  'size',
  'tcpflags',
  'tcpsyn',
  'tcpack',
  'tcpwin',
  'icmptype',
  'icmpcode',
  'info',
  'path',
  'pid',
];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6 = /^[0-9a-fA-F:.]+$/;
/** A line longer than this is not a log line (and is not worth splitting). */
const MAX_LINE = 4096;

/** Parses pfirewall.log text; every bad line becomes a numbered warning. */
export function parseFirewallLog(text: string): FirewallLog {
  const log: FirewallLog = { entries: [], warnings: [], timeFormat: 'local', fields: [...DEFAULT_FIREWALL_FIELDS] };
  const lines = text.split(/\r?\n/);
  let sawHeader = false;
  /** Column of each field name, for the #Fields line in force (`columnsOf`). */
  let columnsOf: string[] | undefined;
  let columns = new Map<string, number>();
  /** Seconds since 1970 of each date seen: a log holds few dates and many lines. */
  const days = new Map<string, number>();
  for (let n = 0; n < lines.length; n++) {
    const line = n + 1;
    const raw = lines[n].replace(/^\uFEFF/, '').trim();
    if (raw === '') continue;
    if (raw.startsWith('#')) {
      sawHeader = true;
      const directive = /^#([A-Za-z ]+):\s*(.*)$/.exec(raw);
      if (!directive) continue;
      const name = directive[1].trim().toLowerCase();
      if (name === 'fields') {
        const fields = directive[2].trim().split(/\s+/);
        if (!fields.includes('date') || !fields.includes('time') || !fields.includes('action')) {
          log.warnings.push({ line, message: `#Fields line lacks date, time or action; keeping the previous columns` });
        } else log.fields = fields;
      } else if (name === 'time format') {
        log.timeFormat = /utc/i.test(directive[2]) ? 'utc' : 'local';
      }
      continue;
    }
    if (raw.length > MAX_LINE) {
      log.warnings.push({
        line,
        message: `line is ${thousands(raw.length)} characters long: not a log line`,
      });
      continue;
    }
    if (columnsOf !== log.fields) {
      columnsOf = log.fields;
      columns = new Map(log.fields.map((name, at) => [name, at]));
    }
    const entry = parseLine(raw, line, log.fields.length, columns, days);
    if (typeof entry === 'string') log.warnings.push({ line, message: entry });
    else log.entries.push(entry);
  }
  if (!sawHeader && log.entries.length === 0 && log.warnings.length > 0) {
    log.warnings.unshift({
      line: 1,
      message: 'no "#Fields:" header and no line in the firewall log format: is this a pfirewall.log?',
    });
  }
  return log;
}

function parseLine(
  raw: string,
  line: number,
  fieldCount: number,
  columns: ReadonlyMap<string, number>,
  days: Map<string, number>,
): FirewallLogEntry | string {
  // Windows separates fields by one space; anything else is split on any run of blanks.
  const values = /\s\s|\t/.test(raw) ? raw.split(/\s+/) : raw.split(' ');
  if (values.length < fieldCount - 1 || values.length > fieldCount) {
    return `has ${values.length} fields; the #Fields line names ${fieldCount}`;
  }
  const get = (name: string): string | undefined => {
    const at = columns.get(name);
    const value = at === undefined ? undefined : values[at];
    return value === undefined || value === '-' ? undefined : value;
  };
  const date = get('date') ?? '';
  const time = get('time') ?? '';
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  if (!d) return `date "${clip(date)}" is not YYYY-MM-DD`;
  if (!t) return `time "${clip(time)}" is not HH:MM:SS`;
  const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const [hour, minute, second] = [Number(t[1]), Number(t[2]), Number(t[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return `date and time "${date} ${time}" do not exist`;
  }
  let dayStart = days.get(date);
  if (dayStart === undefined) {
    dayStart = Date.UTC(year, month - 1, day) / 1000;
    days.set(date, dayStart);
  }
  const clockSeconds = dayStart + hour * 3600 + minute * 60 + second + Number(t[4] ?? 0);
  const action = (get('action') ?? '').toUpperCase();
  if (!action) return 'has no action';
  const entry: FirewallLogEntry = {
    line,
    date,
    time,
    clockSeconds,
    action,
    protocol: (get('protocol') ?? '').toUpperCase(),
  };
  for (const [name, key] of ADDRESS_FIELDS) {
    const value = get(name);
    if (value === undefined) continue;
    const v4 = IPV4.exec(value);
    if (v4) {
      if (+v4[1] > 255 || +v4[2] > 255 || +v4[3] > 255 || +v4[4] > 255)
        return `${name} "${clip(value)}" is not an IP address`;
      entry[key] = value;
      continue;
    }
    // IPv6 in the form the rest of porttrace prints it, so addresses compare as strings.
    const v6 = IPV6.test(value) ? parseIPv6(value) : undefined;
    if (!v6) return `${name} "${clip(value)}" is not an IP address`;
    entry[key] = formatIPv6(v6);
  }
  for (const [name, key, max] of NUMBER_FIELDS) {
    const value = get(name);
    if (value === undefined) continue;
    if (!DIGITS.test(value) || Number(value) > max) return `${name} "${clip(value)}" is not a number up to ${max}`;
    entry[key] = Number(value);
  }
  const flags = get('tcpflags');
  if (flags !== undefined) entry.tcpFlags = flags;
  const path = get('path');
  if (path !== undefined) entry.path = path.toUpperCase();
  return entry;
}

const ADDRESS_FIELDS = [
  ['src-ip', 'srcIp'],
  ['dst-ip', 'dstIp'],
] as const;
const NUMBER_FIELDS = [
  ['src-port', 'srcPort', 0xffff],
  ['dst-port', 'dstPort', 0xffff],
  ['size', 'size', 0xffffffff],
  ['tcpsyn', 'tcpSyn', 0xffffffff],
  ['tcpack', 'tcpAck', 0xffffffff],
  ['pid', 'pid', 0xffffffff],
] as const;
const DIGITS = /^\d{1,10}$/;

const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

// Errors and hints, one behaviour per test: what the user typed, what they are told, and where
// the ^~~ points. Messages that tshark also prints are checked against tshark's golden output
// in golden.test.ts; these cover our own hints and the layout.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { compileFilter, formatFilterError, type FilterError } from '../../src/lib/filter/index.ts';
import { NETWORK_MONITOR } from '../../src/lib/filter/hints.ts';
import { capturePath } from '../support/corpus.ts';

function errorOf(text: string): FilterError {
  const result = compileFilter(text);
  if (result.ok) throw new Error(`expected "${text}" to be rejected`);
  return result.error;
}

/** The text the span covers. */
const marked = (text: string, e: FilterError): string => text.slice(e.start, e.end);

describe('error layout', () => {
  it('prints the message, the filter indented by four spaces and ^~~ under the bad token', () => {
    const text = 'tcp.port==99999';
    expect(formatFilterError(text, errorOf(text)).split('\n').slice(0, 3)).toEqual([
      '"99999" too big for this field, maximum 65535.',
      '    tcp.port==99999',
      '              ^~~~~',
    ]);
  });

  it('marks the end of the filter when it stops too early', () => {
    const text = 'tcp.port == 80 &&';
    const e = errorOf(text);
    expect(e.message).toBe('Unexpected end of filter expression.');
    expect(e.start).toBe(text.length);
    expect(formatFilterError(text, e).split('\n')[2]).toBe(`    ${' '.repeat(text.length)}^`);
  });

  it('keeps the marker aligned when the filter contains tabs', () => {
    const text = 'tcp.port\t== 99999';
    const lines = formatFilterError(text, errorOf(text)).split('\n');
    expect(lines[2].indexOf('^')).toBe(lines[1].indexOf('99999'));
  });
});

describe('hints', () => {
  it('suggests the nearest field name for a typo', () => {
    const e = errorOf('tcp.prot == 3389');
    expect(marked('tcp.prot == 3389', e)).toBe('tcp.prot');
    expect(e.hint).toContain('tcp.port');
  });

  it('suggests the lowercase name when only the case is wrong', () => {
    expect(errorOf('Tcp.SrcPort == 80').hint).toContain('tcp.srcport');
  });

  it('translates Network Monitor spellings', () => {
    expect(errorOf('Property.TCPSynRetransmit').hint).toContain('tcp.analysis.retransmission && tcp.flags.syn==1');
    expect(errorOf('TCP.Flags.Syn').hint).toContain('tcp.flags.syn==1');
    expect(errorOf('TCP.Port == 3389').hint).toContain('tcp.port');
    expect(errorOf('IPv4.Address == 10.0.0.1').hint).toContain('ip.addr');
  });

  it('only ever suggests Network Monitor translations that are valid filters', () => {
    expect(Object.values(NETWORK_MONITOR).filter((text) => !compileFilter(text).ok)).toEqual([]);
  });

  it('translates capture-filter (BPF) syntax', () => {
    expect(errorOf('port 3389').hint).toContain('tcp.port == 3389 || udp.port == 3389');
    expect(errorOf('tcp port 3389').hint).toContain('tcp.port == 3389');
    expect(errorOf('src host 10.0.0.1').hint).toContain('ip.src == 10.0.0.1');
    expect(errorOf('host fd00::10').hint).toContain('ipv6.addr == fd00::10');
  });

  it('explains how to test several values of one field', () => {
    const text = 'tcp.port == 80 or 443';
    const e = errorOf(text);
    expect(marked(text, e)).toBe('443');
    expect(e.hint).toContain('tcp.port in {80, 443}');
  });

  it('points from a flag name to the flag field', () => {
    expect(errorOf('tcp.flags == SYN').hint).toContain('tcp.flags.syn == 1');
    expect(errorOf('tcp.flags == RST').hint).toContain('tcp.flags.reset == 1');
  });

  it('explains a single = and uppercase AND', () => {
    expect(errorOf('tcp.port = 3389').hint).toContain('==');
    const e = errorOf('tcp.port == 3389 AND ip');
    expect(e.hint).toContain('&&');
    expect(marked('tcp.port == 3389 AND ip', e)).toBe('AND');
  });

  it('asks for commas between set members (Wireshark 4 syntax)', () => {
    const text = 'tcp.port in {80 443}';
    const e = errorOf(text);
    expect(marked(text, e)).toBe('443');
    expect(e.hint).toContain('commas');
  });

  it('says what is missing at the end', () => {
    expect(errorOf('(tcp.port == 80').hint).toContain(')');
    expect(errorOf('tcp.port ==').hint).toContain('value');
    expect(errorOf('tcp.flags.syn == 1 ||').hint).toContain('||');
  });

  it('does not look up host names', () => {
    expect(errorOf('ip.addr == example.com').hint).toContain('host names');
  });

  it('explains a leading zero (octal) and booleans', () => {
    expect(errorOf('tcp.port == 080').hint).toContain('octal');
    expect(errorOf('tcp.flags.syn == true').hint).toContain('tcp.flags.syn == 1');
  });

  it('says which protocols porttrace does not decode instead of guessing a typo', () => {
    const e = errorOf('ftp');
    expect(e.message).toContain('ftp');
    expect(e.hint).toContain('tcp.port');
  });
});

describe('warnings on valid filters', () => {
  it('explains != on a field with two values per packet', () => {
    const result = compileFilter('tcp.port != 3389');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.filter.warnings).toHaveLength(1);
    const w = result.filter.warnings[0];
    expect('tcp.port != 3389'.slice(w.start, w.end)).toBe('!=');
    expect(w.message).toContain('!(tcp.port == 3389)');
  });

  it('explains === (all equal) on a field with two values per packet', () => {
    const result = compileFilter('tcp.port === 3389');
    expect(result.ok).toBe(true);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.filter.warnings).toHaveLength(1);
    const w = result.filter.warnings[0];
    expect('tcp.port === 3389'.slice(w.start, w.end)).toBe('===');
    expect(w.message).toContain('all equal');
    expect(w.message).toContain('tcp.port == 3389');
  });

  it('does not warn for === on a single-valued field', () => {
    const result = compileFilter('tcp.dstport === 3389');
    expect(result.ok && result.filter.warnings.length).toBe(0);
  });

  it('does not warn for != on a single-valued field', () => {
    const result = compileFilter('tcp.srcport != 3389');
    expect(result.ok && result.filter.warnings.length).toBe(0);
  });
});

describe('language', () => {
  it.each([
    'tcp.port == 80 || tcp.port == 443',
    'tcp.port in {80, 443, 8000..8080}',
    'ip.addr == 10.0.0.0/8 and not tcp',
    'ipv6.addr == fe80::/10',
    'ipv6.addr == ::ffff:10.0.0.1',
    'eth.addr == 00:11:22:33:44:55',
    'eth.addr == 0011.2233.4455',
    'tcp.flags & 0x12 == 0x12',
    'frame contains "GET"',
    'tcp.payload matches "^get"',
    'frame.time_delta > 0.5',
    'tcp.port == tcp.srcport',
    '',
    '   ',
  ])('accepts %j', (text) => {
    expect(compileFilter(text).ok).toBe(true);
  });

  it('compiles and runs a chain of 20,000 conditions without deep recursion', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `tcp.port == ${i}`).join(' || ');
    const result = compileFilter(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    // Every packet of the recorded connections to ports 88 and 3389 has one of the 20,000 values.
    const capture = loadCaptureBytes(new Uint8Array(readFileSync(capturePath('public/traces/open-client.pcapng'))));
    expect(capture.packets.length).toBeGreaterThan(3);
    expect(result.filter.run(capture)).toHaveLength(capture.packets.length);
  });

  it('rejects nesting deeper than the limit with a typed error, not a stack overflow', () => {
    const text = '('.repeat(5000) + 'tcp' + ')'.repeat(5000);
    const e = errorOf(text);
    expect(e.kind).toBe('syntax');
  });
});

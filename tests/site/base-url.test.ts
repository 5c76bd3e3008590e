// Paths written from the site's root get the sub-folder the site is built for (PORTTRACE_BASE).
import { describe, expect, it } from 'vitest';
import { withBase } from '../../src/components/base-url.ts';

describe('withBase', () => {
  it('puts the sub-folder in front of root paths, with or without its trailing slash', () => {
    expect(withBase('/traces/open-client.pcapng', '/porttrace/')).toBe('/porttrace/traces/open-client.pcapng');
    expect(withBase('/lab/', '/porttrace')).toBe('/porttrace/lab/');
    expect(withBase('/lab/', '/')).toBe('/lab/');
  });

  it('leaves other URLs alone', () => {
    expect(withBase('https://example.org/a.pcap', '/porttrace/')).toBe('https://example.org/a.pcap');
    expect(withBase('//cdn.example.org/a.pcap', '/porttrace/')).toBe('//cdn.example.org/a.pcap');
    expect(withBase('traces/a.pcap', '/porttrace/')).toBe('traces/a.pcap');
    // Root paths are the site's own, never already under the sub-folder: a base of /lab/ and the lab page.
    expect(withBase('/lab/', '/lab/')).toBe('/lab/lab/');
  });

  it('by default uses the base of the build it runs in', () => {
    expect(withBase('/lab/')).toBe(`${import.meta.env.BASE_URL.replace(/\/$/, '')}/lab/`);
  });
});

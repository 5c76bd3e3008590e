// Shared pieces of the ETL tests: corpus frames → PacketIn lists, and tshark when installed.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { capturePath, manifest, ORACLES } from '../support/corpus.ts';
import { pcapngFrames, type SourceFrame } from './pcapng-frames.ts';
import { unixNsToFiletime, type PacketIn } from './write-etl.ts';

/** A capture named as in capturePath(): the vendored corpus, or the site's traces (`public/…`). */
export function corpusBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(capturePath(path)));
}

/** capinfos' packet count: from MANIFEST.tsv for a corpus file, from capinfos itself for the others. */
export function manifestCount(path: string): number {
  const row = manifest().find((r) => r.path === path);
  if (row) return Number(row.capinfos);
  const out = spawnSync(ORACLES.capinfos, ['-c', '-M', capturePath(path)], { encoding: 'utf8' });
  const count = /Number of packets:\s+(\d+)/.exec(out.stdout)?.[1];
  if (out.status !== 0 || count === undefined) throw new Error(`capinfos could not count ${path}: ${out.stderr}`);
  return Number(count);
}

export interface Plan {
  cpus?: number;
  /** Fragments for packet i (default 1). */
  fragments?: (i: number) => number;
  /** Two interfaces: packets with i % 3 === 0 go to LowerIfIndex 12 (a filter over 7), the rest to 7. */
  twoInterfaces?: boolean;
  gft?: boolean;
}

/** Corpus frames as NDIS packets: direction from the first frame's source MAC, CPU by index. */
export function packetsFrom(frames: SourceFrame[], plan: Plan = {}): PacketIn[] {
  const cpus = plan.cpus ?? 4;
  const hostMac = frames[0].data.subarray(6, 12).join(':');
  return frames.map((f, i) => {
    const onFilter = plan.twoInterfaces && i % 3 === 0;
    return {
      data: f.data,
      filetime: unixNsToFiletime(f.timeNs),
      direction: f.data.subarray(6, 12).join(':') === hostMac ? 'sent' : 'received',
      lowerIfIndex: onFilter ? 12 : 7,
      miniportIfIndex: 7,
      medium: f.linkType === 101 ? 'raw' : 'ethernet',
      cpu: (i * 7 + (i >> 2)) % cpus,
      fragments: plan.fragments?.(i) ?? 1,
      gftFields: plan.gft && i % 2 === 1,
    };
  });
}

export function framesOf(path: string): SourceFrame[] {
  return pcapngFrames(corpusBytes(path));
}

export const hasPython = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;

/** tshark's view of a capture: epoch time as printed (9 decimals), frame.len, frame.cap_len. */
export function tsharkFrames(
  path: string,
): Array<{ seconds: number; nanoseconds: number; len: number; capLen: number }> {
  const run = spawnSync(
    'tshark',
    ['-r', capturePath(path), '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len'],
    {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );
  if (run.status !== 0) throw new Error(`tshark failed: ${run.stderr}`);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [epoch, len, capLen] = line.split('\t');
      const [s, frac = ''] = epoch.split('.');
      return { seconds: Number(s), nanoseconds: Number(frac.padEnd(9, '0')), len: Number(len), capLen: Number(capLen) };
    });
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

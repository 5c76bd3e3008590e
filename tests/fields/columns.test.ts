// The field readers filters run read the packet store's columns and the frame's bytes; each
// field's reference reader reads the packet's full dissection. On every packet of the vendored
// corpus (~1,700 captures, many deliberately malformed: truncated headers, IPv6 extension headers,
// FCS, Q-in-Q, ICMP errors quoting TCP and UDP) and the project's traces, both must give the same
// occurrences, in the same order.
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { fieldList } from '../../src/lib/fields/registry.ts';
import { FieldValues, isBytesKind, type FieldDefinition, type FieldReader } from '../../src/lib/fields/types.ts';
import { fieldContext } from '../../src/lib/filter/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { corpusPath, manifest } from '../support/corpus.ts';

const paths = [
  ...manifest().map((row) => corpusPath(row.path)),
  ...readdirSync('public/traces')
    .filter((name) => name.endsWith('.pcapng'))
    .map((name) => `public/traces/${name}`),
];

const show = (values: FieldValues, bytes: boolean): string =>
  JSON.stringify(
    Array.from({ length: values.count }, (_, k) => (bytes ? Array.from(values.bytes[k]) : values.numbers[k])),
  );

it('reads every field from the columns as from the dissection, on every packet of the corpus', () => {
  expect(paths.length).toBeGreaterThan(1000);
  const pairs: Array<{ name: string; bytes: boolean; read: FieldReader; reference: FieldReader }> = [];
  for (const field of fieldList as FieldDefinition[]) {
    // A field with one reader (pktmon's, read from the store's records) has nothing to compare.
    if (field.reference === undefined || field.reference.read === field.read) continue;
    const bytes = isBytesKind(field.kind);
    pairs.push({ name: field.name, bytes, read: field.read, reference: field.reference.read });
    if (field.readBytes !== undefined && field.reference.readBytes !== undefined) {
      pairs.push({
        name: `${field.name} (bytes)`,
        bytes: true,
        read: field.readBytes,
        reference: field.reference.readBytes,
      });
    }
  }
  // Every field a filter can name on a packet's headers has both readers.
  expect(pairs.length).toBeGreaterThan(70);
  const fast = new FieldValues();
  const slow = new FieldValues();
  const mismatches: string[] = [];
  const seen = new Map<string, number>();
  let packets = 0;
  for (const path of paths) {
    const capture = loadCaptureBytes(new Uint8Array(readFileSync(path)));
    const context = fieldContext(capture);
    for (let i = 0; i < capture.packets.length; i++) {
      packets++;
      for (const { name, bytes, read, reference } of pairs) {
        fast.reset();
        slow.reset();
        read(context, i, fast);
        reference(context, i, slow);
        const a = show(fast, bytes);
        const b = show(slow, bytes);
        if (slow.count > 0) seen.set(name, (seen.get(name) ?? 0) + 1);
        if (a !== b && mismatches.length < 20)
          mismatches.push(`${path} frame ${capture.packets[i].number} ${name}: columns ${a}, dissection ${b}`);
      }
    }
  }
  expect(mismatches, mismatches.join('\n')).toEqual([]);
  expect(packets).toBeGreaterThan(50_000);
  // The corpus exercises every field (so the comparison above is not vacuous for any of them).
  expect(pairs.map((p) => p.name).filter((name) => !seen.has(name))).toEqual([]);
}, 600_000);

// The lab library against fake-indexeddb, an in-memory implementation of the IndexedDB spec.
import { readFileSync } from 'node:fs';
import { IDBFactory } from 'fake-indexeddb';
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaptureLibrary, persistLibrary, storageUsage } from '../../src/components/lab/library.ts';

import { capturePath } from '../support/corpus.ts';

const corpusBytes = (path: string): Uint8Array => new Uint8Array(readFileSync(capturePath(path)));

let library: CaptureLibrary;

beforeEach(() => {
  // A fresh, empty IndexedDB for every test.
  globalThis.indexedDB = new IDBFactory();
  library = new CaptureLibrary();
});

afterEach(async () => {
  await library.close();
});

describe('capture library', () => {
  it('keeps a capture across connections (a reload) with its bytes intact', async () => {
    const bytes = corpusBytes('public/traces/return-path-drop-server.pcapng');
    const file = new Blob([bytes as Uint8Array<ArrayBuffer>]);
    const saved = await library.saveCapture({ name: 'tcp_retransmissions.pcapng', bytes: file, addedAt: 1000 });
    expect(saved.ok).toBe(true);
    await library.close();

    const reopened = new CaptureLibrary();
    const list = await reopened.listCaptures();
    expect(list).toEqual({
      ok: true,
      value: [{ id: saved.ok && saved.value, name: 'tcp_retransmissions.pcapng', size: bytes.length, addedAt: 1000 }],
    });
    const loaded = await reopened.loadCaptureBytes(saved.ok ? saved.value : -1);
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(Buffer.compare(Buffer.from(await loaded.value.arrayBuffer()), Buffer.from(bytes))).toBe(0);
    await reopened.close();
  });

  it('lists newest first, renames, records summaries and deletes', async () => {
    const aBytes = corpusBytes('public/traces/open-client.pcapng');
    const bBytes = corpusBytes('public/traces/closed-rst-client.pcapng');
    const a = await library.saveCapture({
      name: 'a.pcap',
      bytes: aBytes,
      addedAt: 1,
    });
    const b = await library.saveCapture({
      name: 'b.pcap',
      bytes: bBytes.buffer as ArrayBuffer,
      addedAt: 2,
    });
    if (!a.ok || !b.ok) throw new Error('save failed');
    expect(a.value).not.toBe(b.value);

    const renamed = await library.renameCapture(a.value, 'client side.pcap');
    expect(renamed.ok && renamed.value.name).toBe('client side.pcap');
    const summary = '1 connected, 2 no-response';
    expect((await library.setSummary(b.value, summary)).ok).toBe(true);

    const list = await library.listCaptures();
    if (!list.ok) throw new Error(list.message);
    expect(list.value.map((e) => [e.name, e.size, e.summary])).toEqual([
      ['b.pcap', bBytes.length, summary],
      ['client side.pcap', aBytes.length, undefined],
    ]);

    expect((await library.deleteCapture(a.value)).ok).toBe(true);
    const after = await library.listCaptures();
    expect(after.ok && after.value.map((e) => e.name)).toEqual(['b.pcap']);
    expect(await library.loadCaptureBytes(a.value)).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await library.renameCapture(a.value, 'x')).toMatchObject({ ok: false, reason: 'not-found' });
    // Ids read back from the page's markup arrive as strings.
    expect(await library.renameCapture(String(b.value), 'server side.pcap')).toMatchObject({ ok: true });
    expect(await library.loadCaptureBytes('not a number')).toMatchObject({ ok: false, reason: 'not-found' });
  });

  it('says "unavailable" where there is no IndexedDB (private windows)', async () => {
    const saved = globalThis.indexedDB;
    // @ts-expect-error simulating a browser without IndexedDB
    delete globalThis.indexedDB;
    try {
      const result = await new CaptureLibrary().saveCapture({ name: 'x', bytes: new Uint8Array(4) });
      expect(result).toMatchObject({ ok: false, reason: 'unavailable' });
      expect(!result.ok && result.message).toMatch(/open for this session only/);
    } finally {
      globalThis.indexedDB = saved;
    }
  });

  it('says "quota" when the store refuses the bytes for lack of space, and keeps nothing half-written', async () => {
    const store = globalThis.IDBObjectStore.prototype;
    const put = store.put;
    store.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'bytes') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
    try {
      const result = await library.saveCapture({
        name: 'big.pcapng',
        bytes: corpusBytes('public/traces/article-success-client.pcapng'),
      });
      expect(result).toMatchObject({ ok: false, reason: 'quota' });
    } finally {
      store.put = put;
    }
    // The metadata written before the failure was rolled back with the transaction.
    expect(await library.listCaptures()).toEqual({ ok: true, value: [] });
  });

  it('says "blocked" when another tab holds an older version open', async () => {
    const otherTab = await openDB('porttrace-lab', 1, {
      upgrade(db) {
        db.createObjectStore('captures', { keyPath: 'id', autoIncrement: true });
        db.createObjectStore('bytes');
      },
    });
    const newer = new CaptureLibrary({ schemaVersion: 2 });
    expect(await newer.listCaptures()).toMatchObject({ ok: false, reason: 'blocked' });
    otherTab.close();
    // Once the other tab lets go, the next call opens (and upgrades) normally.
    expect(await newer.listCaptures()).toEqual({ ok: true, value: [] });
    await newer.close();
  });

  it('says "blocked" when a newer version of the site already upgraded the library', async () => {
    const newer = await openDB('porttrace-lab', 5);
    newer.close();
    const result = await library.listCaptures();
    expect(result).toMatchObject({ ok: false, reason: 'blocked' });
    expect(!result.ok && result.message).toMatch(/newer version/);
  });

  it('asks for persistent storage without failing where there is no Storage API', async () => {
    // Node has a navigator but no navigator.storage: the answer is "not granted", not an error.
    expect(await persistLibrary()).toBe(false);
    expect(await storageUsage()).toBeUndefined();
  });
});

describe('records that are not library entries', () => {
  it('are left out of the list and reported, and the good ones stay listed', async () => {
    const saved = await library.saveCapture({ name: 'good.pcapng', bytes: new Uint8Array([1, 2, 3]), addedAt: 5 });
    expect(saved.ok).toBe(true);
    await library.close();
    // What a broken version of the site, or someone in the browser's tools, could leave behind.
    const db = await openDB('porttrace-lab', 1);
    await db.put('captures', { id: 7, name: { evil: '<img src=x onerror=alert(1)>' }, size: 3, addedAt: 6 });
    await db.put('captures', { id: 8, name: 'no size', addedAt: 7 });
    await db.put('captures', { id: 9, name: 'bad summary', size: 1, addedAt: 8, summary: 42 });
    db.close();

    library = new CaptureLibrary();
    const listed = await library.listCaptures();
    expect(listed).toEqual({
      ok: true,
      value: [{ id: saved.ok && saved.value, name: 'good.pcapng', size: 3, addedAt: 5 }],
      skipped: [
        { id: 7, problem: 'its name is object, not text' },
        { id: 8, problem: 'its size is not a number of bytes' },
        { id: 9, problem: 'its summary is not text' },
      ],
    });
    // Every later visit lists the same, and the bad record cannot be renamed into the list.
    expect(await new CaptureLibrary().listCaptures()).toEqual(listed);
    expect(await library.renameCapture(7, 'fixed?')).toMatchObject({ ok: false, reason: 'not-found' });
    // … but it can be deleted.
    expect(await library.deleteCapture(7)).toEqual({ ok: true, value: undefined });
    const after = await library.listCaptures();
    expect(after.ok && after.skipped?.map((s) => s.id)).toEqual([8, 9]);
  });
});

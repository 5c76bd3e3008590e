// The lab's library: captures the instructor opened, kept in IndexedDB so they are still listed
// after a reload. The bytes are saved before parsing starts (a reload mid-parse loses nothing)
// and live in their own store, so listing the library never reads a capture's bytes.
//
// Browsers refuse storage in several ways (private windows, full disks, an older tab holding
// the database open): every method returns a result instead of throwing, so the page can say
// what happened and still open the capture for this session.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/** Ids are the store's numbers; strings (from a data attribute) are accepted and converted. */
export type LibraryId = number | string;

export interface LibraryEntry {
  id: number;
  /** The file name, or what the instructor renamed it to. */
  name: string;
  /** Bytes in the capture file. */
  size: number;
  /** When it was added: milliseconds since 1970 (Date.now()). */
  addedAt: number;
  /** One line of verdict counts ("2 connected, 1 no-response"), set by setSummary after analysis. */
  summary?: string;
}

export interface NewCapture {
  name: string;
  /** A File/Blob (stored as is: browsers keep it on disk) or bytes already in memory. */
  bytes: Blob | ArrayBuffer | Uint8Array;
  /** Defaults to the byte length. */
  size?: number;
  /** Defaults to now. */
  addedAt?: number;
}

/**
 * quota: storage is full; blocked: another tab holds an older or newer version of the database;
 * unavailable: no IndexedDB here (private window, storage disabled, a broken profile);
 * not-found: no capture with that id (deleted in another tab).
 */
export type LibraryFailureReason = 'quota' | 'blocked' | 'unavailable' | 'not-found';

export interface LibraryFailure {
  ok: false;
  reason: LibraryFailureReason;
  /** A sentence for the page, saying what happened and what still works. */
  message: string;
}

export type LibraryResult<T> = { ok: true; value: T } | LibraryFailure;

/** A stored record that is not a library entry (written by a broken or foreign version): left out of the list. */
export interface SkippedRecord {
  /** Its key in the store, when it has a usable one. */
  id?: number;
  /** What is wrong with it. */
  problem: string;
}

/** The list, and the records that had to be left out of it (only when there were some). */
export type LibraryListing = { ok: true; value: LibraryEntry[]; skipped?: SkippedRecord[] } | LibraryFailure;

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * The record as a LibraryEntry, or what is wrong with it. IndexedDB keeps whatever was put in
 * it, by any version of the site or by hand in the browser's tools: one bad record must not
 * hide the rest of the library, or break the page on every visit.
 */
export function checkEntry(record: unknown): LibraryEntry | SkippedRecord {
  if (typeof record !== 'object' || record === null) return { problem: 'not an object' };
  const r = record as Record<string, unknown>;
  const id = typeof r.id === 'number' && Number.isSafeInteger(r.id) ? r.id : undefined;
  const bad = (problem: string): SkippedRecord => (id === undefined ? { problem } : { id, problem });
  if (id === undefined) return bad('no numeric id');
  if (typeof r.name !== 'string') return bad(`its name is ${r.name === null ? 'null' : typeof r.name}, not text`);
  if (!isCount(r.size)) return bad('its size is not a number of bytes');
  if (!isCount(r.addedAt)) return bad('its date is not a time');
  if (r.summary !== undefined && typeof r.summary !== 'string') return bad('its summary is not text');
  const entry: LibraryEntry = { id, name: r.name, size: r.size, addedAt: r.addedAt };
  if (r.summary !== undefined) entry.summary = r.summary;
  return entry;
}

const isEntry = (checked: LibraryEntry | SkippedRecord): checked is LibraryEntry => !('problem' in checked);

interface LabSchema extends DBSchema {
  captures: { key: number; value: LibraryEntry };
  bytes: { key: number; value: Blob };
}

export const LIBRARY_DATABASE = 'porttrace-lab';
const SCHEMA_VERSION = 1;

const MESSAGES: Record<LibraryFailureReason, string> = {
  quota:
    'The browser has no room left to keep this capture. It is open for this session only; delete captures from the library to make room.',
  blocked:
    'Another tab of this site holds the capture library open with a different version. Close the other tabs of this site and reload; meanwhile the capture is open for this session only.',
  unavailable:
    'This browser does not let the site keep captures (a private window, or site storage is turned off). The capture is open for this session only.',
  'not-found': 'That capture is no longer in the library (was it deleted in another tab?).',
};

function failure(reason: LibraryFailureReason, detail?: string): LibraryFailure {
  return { ok: false, reason, message: detail ? `${MESSAGES[reason]} (${detail})` : MESSAGES[reason] };
}

const errorName = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';

/**
 * A failed write reports QuotaExceededError directly, or (when the disk fills at commit time)
 * as an AbortError whose transaction carries the QuotaExceededError.
 */
function classify(error: unknown, transactionError?: DOMException | null): LibraryFailure {
  const names = [errorName(error), errorName(transactionError)];
  if (names.includes('QuotaExceededError')) return failure('quota');
  if (names.includes('VersionError')) return failure('blocked', 'a newer version of the site created this library');
  const text = error instanceof Error ? error.message : String(error);
  return failure('unavailable', text.slice(0, 200));
}

function abortQuietly(transaction: { abort(): void } | undefined): void {
  try {
    transaction?.abort();
  } catch {
    // Already finished or aborted: nothing to undo.
  }
}

function toKey(id: LibraryId): number | undefined {
  const key = typeof id === 'number' ? id : Number(id);
  return Number.isSafeInteger(key) ? key : undefined;
}

export interface LibraryOptions {
  /** Database name; tests use their own. */
  databaseName?: string;
  /** Schema version to open with; only tests change it (to provoke 'blocked'). */
  schemaVersion?: number;
}

export class CaptureLibrary {
  private readonly databaseName: string;
  private readonly schemaVersion: number;
  private opening: Promise<LibraryResult<IDBPDatabase<LabSchema>>> | undefined;

  constructor(options: LibraryOptions = {}) {
    this.databaseName = options.databaseName ?? LIBRARY_DATABASE;
    this.schemaVersion = options.schemaVersion ?? SCHEMA_VERSION;
  }

  /** Opens once and reuses the connection; a failed open is retried on the next call. */
  private open(): Promise<LibraryResult<IDBPDatabase<LabSchema>>> {
    if (this.opening === undefined) {
      this.opening = this.openDatabase().then((result) => {
        if (!result.ok) this.opening = undefined;
        return result;
      });
    }
    return this.opening;
  }

  private openDatabase(): Promise<LibraryResult<IDBPDatabase<LabSchema>>> {
    if (typeof indexedDB === 'undefined') return Promise.resolve(failure('unavailable'));
    return new Promise((resolve) => {
      // `blocked` fires while the open waits for another tab; answer the page now rather than
      // leave it waiting, and close the connection if it arrives after all.
      let settled = false;
      const settle = (result: LibraryResult<IDBPDatabase<LabSchema>>): void => {
        if (settled) {
          if (result.ok) result.value.close();
          return;
        }
        settled = true;
        resolve(result);
      };
      try {
        openDB<LabSchema>(this.databaseName, this.schemaVersion, {
          upgrade(db) {
            if (!db.objectStoreNames.contains('captures'))
              db.createObjectStore('captures', { keyPath: 'id', autoIncrement: true });
            if (!db.objectStoreNames.contains('bytes')) db.createObjectStore('bytes');
          },
          blocked: () => settle(failure('blocked')),
          // A newer version of the site opened in another tab: let it upgrade, reopen next time.
          blocking: () => {
            void this.opening?.then((result) => result.ok && result.value.close());
            this.opening = undefined;
          },
          terminated: () => {
            this.opening = undefined;
          },
        }).then(
          (db) => settle({ ok: true, value: db }),
          (error: unknown) => settle(classify(error)),
        );
      } catch (error) {
        // Some browsers throw from indexedDB.open itself in private windows.
        settle(classify(error));
      }
    });
  }

  /** Stores the capture and returns its id. Call before parsing, with the File itself. */
  async saveCapture(capture: NewCapture): Promise<LibraryResult<number>> {
    const opened = await this.open();
    if (!opened.ok) return opened;
    const bytes = capture.bytes;
    const blob =
      bytes instanceof Blob ? bytes : new Blob([bytes instanceof Uint8Array ? new Uint8Array(bytes) : bytes]);
    const entry = {
      name: capture.name,
      size: capture.size ?? blob.size,
      addedAt: capture.addedAt ?? Date.now(),
    } as LibraryEntry; // `id` is filled in by the store's key generator.
    let transaction;
    try {
      transaction = opened.value.transaction(['captures', 'bytes'], 'readwrite');
      // `done` rejects when we abort below; that outcome is reported through the catch.
      transaction.done.catch(() => undefined);
      const id = await transaction.objectStore('captures').add(entry);
      await transaction.objectStore('bytes').put(blob, id);
      await transaction.done;
      return { ok: true, value: id };
    } catch (error) {
      // A request that throws does not end the transaction by itself: abort it so the entry is
      // not kept without its bytes.
      abortQuietly(transaction);
      return classify(error, transaction?.error);
    }
  }

  /** Newest first; records that are not valid entries are left out and reported in `skipped`. */
  async listCaptures(): Promise<LibraryListing> {
    const opened = await this.open();
    if (!opened.ok) return opened;
    try {
      const entries: LibraryEntry[] = [];
      const skipped: SkippedRecord[] = [];
      for (const record of (await opened.value.getAll('captures')) as unknown[]) {
        const checked = checkEntry(record);
        if (isEntry(checked)) entries.push(checked);
        else skipped.push(checked);
      }
      entries.sort((a, b) => b.addedAt - a.addedAt || b.id - a.id);
      return skipped.length ? { ok: true, value: entries, skipped } : { ok: true, value: entries };
    } catch (error) {
      return classify(error);
    }
  }

  /** The capture's bytes as a Blob (stream it with blob.stream()). */
  async loadCaptureBytes(id: LibraryId): Promise<LibraryResult<Blob>> {
    const key = toKey(id);
    if (key === undefined) return failure('not-found');
    const opened = await this.open();
    if (!opened.ok) return opened;
    try {
      const blob = await opened.value.get('bytes', key);
      return blob === undefined ? failure('not-found') : { ok: true, value: blob };
    } catch (error) {
      return classify(error);
    }
  }

  renameCapture(id: LibraryId, name: string): Promise<LibraryResult<LibraryEntry>> {
    return this.update(id, (entry) => ({ ...entry, name }));
  }

  /** Records the verdict counts after analysis, for the library list. */
  setSummary(id: LibraryId, summary: string): Promise<LibraryResult<LibraryEntry>> {
    return this.update(id, (entry) => ({ ...entry, summary }));
  }

  private async update(
    id: LibraryId,
    change: (entry: LibraryEntry) => LibraryEntry,
  ): Promise<LibraryResult<LibraryEntry>> {
    const key = toKey(id);
    if (key === undefined) return failure('not-found');
    const opened = await this.open();
    if (!opened.ok) return opened;
    let transaction;
    try {
      transaction = opened.value.transaction('captures', 'readwrite');
      transaction.done.catch(() => undefined);
      const stored = await transaction.store.get(key);
      const entry = stored === undefined ? undefined : checkEntry(stored);
      if (entry === undefined || !isEntry(entry)) {
        await transaction.done;
        return failure('not-found');
      }
      const changed = change(entry);
      await transaction.store.put(changed);
      await transaction.done;
      return { ok: true, value: changed };
    } catch (error) {
      abortQuietly(transaction);
      return classify(error, transaction?.error);
    }
  }

  /** Removes the entry and its bytes; deleting an id that is already gone is not an error. */
  async deleteCapture(id: LibraryId): Promise<LibraryResult<void>> {
    const key = toKey(id);
    if (key === undefined) return { ok: true, value: undefined };
    const opened = await this.open();
    if (!opened.ok) return opened;
    try {
      const transaction = opened.value.transaction(['captures', 'bytes'], 'readwrite');
      await transaction.objectStore('captures').delete(key);
      await transaction.objectStore('bytes').delete(key);
      await transaction.done;
      return { ok: true, value: undefined };
    } catch (error) {
      return classify(error);
    }
  }

  /** Closes the connection (tests; the page keeps it open). */
  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    const result = await opening;
    if (result?.ok) result.value.close();
  }
}

// The page uses one library per tab; these are its methods bound to a shared instance.
let shared: CaptureLibrary | undefined;
const library = (): CaptureLibrary => (shared ??= new CaptureLibrary());

export const saveCapture = (capture: NewCapture): Promise<LibraryResult<number>> => library().saveCapture(capture);
export const listCaptures = (): Promise<LibraryListing> => library().listCaptures();
export const loadCaptureBytes = (id: LibraryId): Promise<LibraryResult<Blob>> => library().loadCaptureBytes(id);
export const renameCapture = (id: LibraryId, name: string): Promise<LibraryResult<LibraryEntry>> =>
  library().renameCapture(id, name);
export const setSummary = (id: LibraryId, summary: string): Promise<LibraryResult<LibraryEntry>> =>
  library().setSummary(id, summary);
export const deleteCapture = (id: LibraryId): Promise<LibraryResult<void>> => library().deleteCapture(id);

/**
 * Asks the browser to keep the library even under storage pressure (without it, Chromium may
 * evict a site's IndexedDB when the disk fills). True when granted; false where the browser
 * declines or has no Storage API.
 */
export async function persistLibrary(): Promise<boolean> {
  try {
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    return storage?.persist ? await storage.persist() : false;
  } catch {
    return false;
  }
}

/** Bytes used by this site's storage and the browser's quota for it, when the browser says. */
export async function storageUsage(): Promise<{ usage: number; quota: number } | undefined> {
  try {
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    if (!storage?.estimate) return undefined;
    const { usage, quota } = await storage.estimate();
    return usage === undefined || quota === undefined ? undefined : { usage, quota };
  } catch {
    return undefined;
  }
}

// SMB2 (MS-SMB2 2.2.1) over NetBIOS session framing on port 445: each header's command, the
// response flag and, on responses, the NT status; compounded requests are each listed.
import { truncated } from '../bytes.ts';
import type { Truncated } from '../types.ts';
import type { Smb2Layer } from './types.ts';

const le16 = (bytes: Uint8Array, at: number): number => bytes[at] | (bytes[at + 1] << 8);
const le32 = (bytes: Uint8Array, at: number): number => (le16(bytes, at) + le16(bytes, at + 2) * 0x10000) >>> 0;

export const SMB2_COMMAND_NAMES: readonly string[] = [
  'Negotiate Protocol',
  'Session Setup',
  'Session Logoff',
  'Tree Connect',
  'Tree Disconnect',
  'Create',
  'Close',
  'Flush',
  'Read',
  'Write',
  'Lock',
  'Ioctl',
  'Cancel',
  'KeepAlive',
  'Find',
  'Notify',
  'GetInfo',
  'SetInfo',
  'Break',
];

/** NT status names tshark prints for the errors an SMB2 session commonly meets. */
const STATUS_NAMES: Readonly<Record<number, string>> = {
  0x80000005: 'STATUS_BUFFER_OVERFLOW',
  0x80000006: 'STATUS_NO_MORE_FILES',
  0xc0000016: 'STATUS_MORE_PROCESSING_REQUIRED',
  0xc0000022: 'STATUS_ACCESS_DENIED',
  0xc0000034: 'STATUS_OBJECT_NAME_NOT_FOUND',
  0xc0000035: 'STATUS_OBJECT_NAME_COLLISION',
  0xc000003a: 'STATUS_OBJECT_PATH_NOT_FOUND',
  0xc000006d: 'STATUS_LOGON_FAILURE',
  0xc00000bb: 'STATUS_NOT_SUPPORTED',
  0xc00000cc: 'STATUS_BAD_NETWORK_NAME',
  0xc0000128: 'STATUS_FILE_CLOSED',
  0xc000000d: 'STATUS_INVALID_PARAMETER',
  0xc0000010: 'STATUS_INVALID_DEVICE_REQUEST',
  0x00000103: 'STATUS_PENDING',
  0x0000010c: 'STATUS_NOTIFY_ENUM_DIR',
  0xc0000033: 'STATUS_OBJECT_NAME_INVALID',
  0xc0000043: 'STATUS_SHARING_VIOLATION',
  0xc0000203: 'STATUS_USER_SESSION_DELETED',
  0xc000035c: 'STATUS_NETWORK_SESSION_EXPIRED',
  0xc000019c: 'STATUS_FS_DRIVER_REQUIRED',
};

const CMD_TREE_CONNECT = 3;
const CMD_CREATE = 5;

function utf16le(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i + 1 < end; i += 2) text += String.fromCharCode(le16(bytes, i));
  return text;
}

const isSmb2Header = (bytes: Uint8Array, at: number, end: number): boolean =>
  at + 64 <= end && bytes[at] === 0xfe && bytes[at + 1] === 0x53 && bytes[at + 2] === 0x4d && bytes[at + 3] === 0x42;

/** A NetBIOS session message (type 0, 17-bit length) holding an SMB2 header. */
export function looksLikeSmb2(bytes: Uint8Array, at: number, end: number): boolean {
  return (
    end - at >= 8 &&
    bytes[at] === 0 &&
    (bytes[at + 1] & 0xfe) === 0 &&
    isSmb2Header(bytes, at + 4, Math.max(end, at + 68))
  );
}

export function decodeSmb2(bytes: Uint8Array, offset: number, end: number): Smb2Layer | Truncated | undefined {
  if (end - offset < 4) return truncated('smb2', offset, 4);
  if (bytes[offset] !== 0) return undefined;
  const netbiosLength = ((bytes[offset + 1] & 1) << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
  if (offset + 4 + netbiosLength > end) return truncated('smb2', offset, 4 + netbiosLength);
  const stop = offset + 4 + netbiosLength;
  const commands: Smb2Layer['commands'] = [];
  let messageId = 0;
  for (let at = offset + 4; isSmb2Header(bytes, at, stop);) {
    const command = le16(bytes, at + 12);
    const response = (le32(bytes, at + 16) & 1) !== 0;
    const entry: Smb2Layer['commands'][number] = { command, response, status: le32(bytes, at + 8) };
    // The name a Create or Tree Connect request carries (UTF-16LE, at an offset from the header).
    const body = at + 64;
    if (!response && (command === CMD_CREATE || command === CMD_TREE_CONNECT) && body + 48 <= stop) {
      const field = command === CMD_CREATE ? body + 44 : body + 4;
      const nameOffset = at + le16(bytes, field);
      const nameLength = le16(bytes, field + 2);
      entry.name = nameOffset + nameLength <= stop ? utf16le(bytes, nameOffset, nameOffset + nameLength) : '';
    }
    commands.push(entry);
    if (commands.length === 1) messageId = le32(bytes, at + 24) + le32(bytes, at + 28) * 0x100000000;
    const next = le32(bytes, at + 20);
    if (next === 0 || next < 64) break;
    at += next;
  }
  if (commands.length === 0) return undefined;
  return {
    protocol: 'smb2',
    offset,
    length: stop - offset,
    netbiosLength,
    command: commands[0].command,
    status: commands[0].status,
    response: commands[0].response,
    messageId,
    commands,
  };
}

function commandInfo(c: Smb2Layer['commands'][number]): string {
  let text = `${SMB2_COMMAND_NAMES[c.command] ?? `Unknown (${c.command})`} ${c.response ? 'Response' : 'Request'}`;
  if (c.response && c.status !== 0)
    text += `, Error: ${STATUS_NAMES[c.status] ?? `Unknown (0x${c.status.toString(16).padStart(8, '0')})`}`;
  if (c.name !== undefined) text += c.command === CMD_CREATE ? ` File: ${c.name}` : ` Tree: ${c.name}`;
  return text;
}

/** "Negotiate Protocol Request", "Session Setup Response, Error: STATUS_MORE_PROCESSING_REQUIRED"; compounds joined by ";". */
export const smb2Info = (smb2: Smb2Layer): string => smb2.commands.map(commandInfo).join(';');

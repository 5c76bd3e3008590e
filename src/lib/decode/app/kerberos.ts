// Kerberos 5 (RFC 4120) on port 88: the message type from the [APPLICATION n] tag and msg-type,
// a KRB-ERROR's error-code, and the client realm and name where the message carries them.
// Over TCP a four-byte record mark (its length) comes first.
import { truncated, u32 } from '../bytes.ts';
import type { Malformed, Truncated } from '../types.ts';
import { malformed } from '../bytes.ts';
import { contextField, derInteger, derString, readTlv } from './der.ts';
import type { KerberosLayer } from './types.ts';

export const KERBEROS_MESSAGE_NAMES: Readonly<Record<number, string>> = {
  10: 'AS-REQ',
  11: 'AS-REP',
  12: 'TGS-REQ',
  13: 'TGS-REP',
  14: 'AP-REQ',
  15: 'AP-REP',
  20: 'KRB-SAFE',
  21: 'KRB-PRIV',
  22: 'KRB-CRED',
  30: 'KRB-ERROR',
};

export const KERBEROS_ERROR_NAMES: Readonly<Record<number, string>> = {
  0: 'KDC_ERR_NONE',
  1: 'KDC_ERR_NAME_EXP',
  2: 'KDC_ERR_SERVICE_EXP',
  3: 'KDC_ERR_BAD_PVNO',
  4: 'KDC_ERR_C_OLD_MAST_KVNO',
  5: 'KDC_ERR_S_OLD_MAST_KVNO',
  6: 'KDC_ERR_C_PRINCIPAL_UNKNOWN',
  7: 'KDC_ERR_S_PRINCIPAL_UNKNOWN',
  8: 'KDC_ERR_PRINCIPAL_NOT_UNIQUE',
  9: 'KDC_ERR_NULL_KEY',
  10: 'KDC_ERR_CANNOT_POSTDATE',
  11: 'KDC_ERR_NEVER_VALID',
  12: 'KDC_ERR_POLICY',
  13: 'KDC_ERR_BADOPTION',
  14: 'KDC_ERR_ETYPE_NOSUPP',
  15: 'KDC_ERR_SUMTYPE_NOSUPP',
  16: 'KDC_ERR_PADATA_TYPE_NOSUPP',
  17: 'KDC_ERR_TRTYPE_NOSUPP',
  18: 'KDC_ERR_CLIENT_REVOKED',
  19: 'KDC_ERR_SERVICE_REVOKED',
  20: 'KDC_ERR_TGT_REVOKED',
  21: 'KDC_ERR_CLIENT_NOTYET',
  22: 'KDC_ERR_SERVICE_NOTYET',
  23: 'KDC_ERR_KEY_EXP',
  24: 'KDC_ERR_PREAUTH_FAILED',
  25: 'KDC_ERR_PREAUTH_REQUIRED',
  26: 'KDC_ERR_SERVER_NOMATCH',
  27: 'KDC_ERR_MUST_USE_USER2USER',
  28: 'KDC_ERR_PATH_NOT_ACCEPTED',
  29: 'KDC_ERR_SVC_UNAVAILABLE',
  31: 'KRB_AP_ERR_BAD_INTEGRITY',
  32: 'KRB_AP_ERR_TKT_EXPIRED',
  33: 'KRB_AP_ERR_TKT_NYV',
  34: 'KRB_AP_ERR_REPEAT',
  35: 'KRB_AP_ERR_NOT_US',
  36: 'KRB_AP_ERR_BADMATCH',
  37: 'KRB_AP_ERR_SKEW',
  38: 'KRB_AP_ERR_BADADDR',
  39: 'KRB_AP_ERR_BADVERSION',
  40: 'KRB_AP_ERR_MSG_TYPE',
  41: 'KRB_AP_ERR_MODIFIED',
  42: 'KRB_AP_ERR_BADORDER',
  44: 'KRB_AP_ERR_BADKEYVER',
  45: 'KRB_AP_ERR_NOKEY',
  46: 'KRB_AP_ERR_MUT_FAIL',
  47: 'KRB_AP_ERR_BADDIRECTION',
  48: 'KRB_AP_ERR_METHOD',
  49: 'KRB_AP_ERR_BADSEQ',
  50: 'KRB_AP_ERR_INAPP_CKSUM',
  51: 'KRB_AP_PATH_NOT_ACCEPTED',
  52: 'KRB_ERR_RESPONSE_TOO_BIG',
  60: 'KRB_ERR_GENERIC',
  61: 'KRB_ERR_FIELD_TOOLONG',
  62: 'KDC_ERROR_CLIENT_NOT_TRUSTED',
  63: 'KDC_ERROR_KDC_NOT_TRUSTED',
  64: 'KDC_ERROR_INVALID_SIG',
  65: 'KDC_ERR_KEY_TOO_WEAK',
  66: 'KDC_ERR_CERTIFICATE_MISMATCH',
  67: 'KRB_AP_ERR_NO_TGT',
  68: 'KDC_ERR_WRONG_REALM',
  69: 'KRB_AP_ERR_USER_TO_USER_REQUIRED',
};

/** The [n] of msg-type, realm and cname in each message's SEQUENCE (RFC 4120 5.4.1, 5.4.2, 5.9.1). */
const LAYOUT: Readonly<Record<number, { msgType: number; realm?: number; cname?: number; body?: number }>> = {
  10: { msgType: 2, body: 4 },
  12: { msgType: 2, body: 4 },
  11: { msgType: 1, realm: 3, cname: 4 },
  13: { msgType: 1, realm: 3, cname: 4 },
  14: { msgType: 1 },
  15: { msgType: 1 },
  20: { msgType: 1 },
  21: { msgType: 1 },
  22: { msgType: 1 },
  30: { msgType: 1, realm: 7, cname: 8 },
};

/** The name-string of a PrincipalName (SEQUENCE { name-type [0], name-string [1] SEQUENCE OF }). */
function principalName(bytes: Uint8Array, start: number, end: number): string | undefined {
  const strings = contextField(bytes, start, end, 1);
  if (strings === undefined || strings.tag !== 0x30) return undefined;
  const parts: string[] = [];
  for (let at = strings.start; at < strings.end;) {
    const part = readTlv(bytes, at, strings.end);
    if (part === undefined) break;
    parts.push(derString(bytes, part));
    at = part.end;
  }
  return parts.join('/');
}

export function decodeKerberos(
  bytes: Uint8Array,
  offset: number,
  end: number,
  overTcp = false,
): KerberosLayer | Truncated | Malformed {
  let at = offset;
  let recordMark: number | undefined;
  if (overTcp) {
    if (end - offset < 4) return truncated('kerberos', offset, 4);
    recordMark = u32(bytes, offset) & 0x7fffffff;
    at += 4;
    if (at + recordMark > end) return truncated('kerberos', offset, 4 + recordMark);
    end = at + recordMark;
  }
  const outer = readTlv(bytes, at, end);
  if (outer === undefined) return truncated('kerberos', at, 2);
  const application = outer.tag & 0x1f;
  const layout = (outer.tag & 0xe0) === 0x60 ? LAYOUT[application] : undefined;
  if (layout === undefined)
    return malformed('kerberos', at, `not a Kerberos message (tag 0x${outer.tag.toString(16)})`);
  const sequence = readTlv(bytes, outer.start, outer.end);
  if (sequence === undefined || sequence.tag !== 0x30)
    return malformed('kerberos', outer.start, 'Kerberos message is not a SEQUENCE');
  const msgTypeTlv = contextField(bytes, sequence.start, sequence.end, layout.msgType);
  const msgType = msgTypeTlv === undefined ? undefined : derInteger(bytes, msgTypeTlv);
  const layer: KerberosLayer = {
    protocol: 'kerberos',
    offset,
    length: end - offset,
    recordMark,
    msgType: msgType ?? application,
  };
  if (application === 12) {
    // padata [3] SEQUENCE OF PA-DATA { padata-type [1] INTEGER, padata-value [2] OCTET STRING }
    const padata = contextField(bytes, sequence.start, sequence.end, 3);
    if (padata !== undefined && padata.tag === 0x30) {
      for (let at = padata.start; at < padata.end;) {
        const entry = readTlv(bytes, at, padata.end);
        if (entry === undefined) break;
        const type = contextField(bytes, entry.start, entry.end, 1);
        if (type !== undefined && derInteger(bytes, type) === 1) layer.hasApReq = true;
        at = entry.end;
      }
    }
  }
  if (application === 30) {
    const code = contextField(bytes, sequence.start, sequence.end, 6);
    if (code !== undefined) layer.errorCode = derInteger(bytes, code);
  }
  let realmIn = sequence;
  let realmField = layout.realm;
  let cnameField = layout.cname;
  if (layout.body !== undefined) {
    const body = contextField(bytes, sequence.start, sequence.end, layout.body);
    if (body !== undefined && body.tag === 0x30) {
      realmIn = body;
      realmField = 2;
      cnameField = 1;
    }
  }
  if (realmField !== undefined) {
    const realm = contextField(bytes, realmIn.start, realmIn.end, realmField);
    if (realm !== undefined) layer.realm = derString(bytes, realm);
  }
  if (cnameField !== undefined) {
    const cname = contextField(bytes, realmIn.start, realmIn.end, cnameField);
    if (cname !== undefined && cname.tag === 0x30) layer.clientName = principalName(bytes, cname.start, cname.end);
  }
  return layer;
}

/** tshark's Info: "AS-REQ", "KRB Error: KRB5KDC_ERR_PREAUTH_REQUIRED". */
export function kerberosInfo(krb: KerberosLayer): string {
  if (krb.msgType === 30) {
    const name = krb.errorCode === undefined ? undefined : KERBEROS_ERROR_NAMES[krb.errorCode];
    return `KRB Error: ${name !== undefined ? `KRB5${name}` : `Unknown (${krb.errorCode ?? '?'})`}`;
  }
  return KERBEROS_MESSAGE_NAMES[krb.msgType] ?? `Unknown (${krb.msgType})`;
}

/**
 * Replies from phones. "ACK 482193", "ack482193", "확인 482193", "승인 482193" acknowledge the
 * alarm whose escalation issued code 482193, if the sender may (service.ts). Codes are 6 random
 * digits from a cryptographic source, one per open alarm (security review F16: 4 digits from
 * Math.random could be guessed). Pure.
 */
import { randomInt } from 'node:crypto';

export const ACK_CODE_DIGITS = 6;
const REPLY = /^\s*(?:ack|확인|승인|접수)\s*[:#-]?\s*([0-9]{6})\s*[.!]?\s*$/iu;

export function parseAckReply(text: string): { code: string } | null {
  const m = REPLY.exec(text.normalize('NFC'));
  return m ? { code: m[1] } : null;
}

/** Normalizes a phone number to digits with a Korean leading 0 (+82 10... -> 010...). */
export function normalizePhone(phone: string): string {
  let d = phone.replace(/[^0-9+]/g, '');
  if (d.startsWith('+82')) d = `0${d.slice(3)}`;
  else if (d.startsWith('82') && d.length >= 11) d = `0${d.slice(2)}`;
  return d.replace(/\+/g, '');
}

/** A roster contact speaks for a user only from the phone number on that user's record (F16). */
export const samePhone = (recorded: string | null, phone: string): boolean =>
  recorded !== null && normalizePhone(recorded) === normalizePhone(phone);

/** A 6-digit code not in `taken`; `int(max)` is crypto.randomInt unless a test injects one. */
export function newAckCode(taken: ReadonlySet<string>, int: (max: number) => number = randomInt): string {
  const max = 10 ** ACK_CODE_DIGITS;
  for (let i = 0; i < 10_000; i++) {
    const code = String(int(max)).padStart(ACK_CODE_DIGITS, '0');
    if (!taken.has(code)) return code;
  }
  throw new Error('escalation: no free acknowledgement code');
}

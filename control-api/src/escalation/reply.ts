/**
 * Replies from phones. "ACK 4821", "ack4821", "확인 4821", "승인 4821" acknowledge the alarm whose
 * escalation issued code 4821, if the sender is on the roster. Pure.
 */
const REPLY = /^\s*(?:ack|확인|승인|접수)\s*[:#-]?\s*([0-9]{4})\s*[.!]?\s*$/iu;

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

/** A 4-digit code not in `taken`, from an injected random source. */
export function newAckCode(taken: ReadonlySet<string>, random: () => number): string {
  for (let i = 0; i < 10_000; i++) {
    const code = String(Math.floor(random() * 9000) + 1000);
    if (!taken.has(code)) return code;
  }
  throw new Error('escalation: no free acknowledgement code');
}

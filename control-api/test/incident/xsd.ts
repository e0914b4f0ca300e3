/** CAP 1.2 schema validation for tests: xmllint --schema (Debian libxml2-utils). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const XSD = new URL('./CAP-v1.2.xsd', import.meta.url).pathname;

/** Validates with xmllint --schema; returns its complaints ('' when valid). */
export function xsdErrors(xml: string, name = 'alert.xml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-cap-'));
  try {
    const file = join(dir, name);
    writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
    if (r.error) throw new Error(`xmllint missing (apt install libxml2-utils): ${r.error.message}`);
    return r.status === 0 ? '' : r.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

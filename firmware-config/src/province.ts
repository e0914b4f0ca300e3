/**
 * Province-wide check of a templates directory: renders every agent overlay against its site
 * template and checks what no single document can, that agentId, sensorId and cameraId are
 * unique across the province (CONTRACT "Identifiers").
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJson } from '@gwanje/protocol';
import { render } from './render.js';

export interface ProvinceCheck {
  agents: number;
  sensors: number;
  cameras: number;
  /** `agentId: path: message` lines. */
  errors: string[];
}

/** Placeholder credentials: templates never hold the broker password (it comes at provisioning). */
const PLACEHOLDER = { central: { password: 'placeholder' } };

export async function checkProvince(templatesDir: string): Promise<ProvinceCheck> {
  const files = (await readdir(join(templatesDir, 'agents'))).filter((f) => f.endsWith('.json')).sort();
  const errors: string[] = [];
  const owners = { sensorId: new Map<string, string>(), cameraId: new Map<string, string>() };
  let sensors = 0;
  let cameras = 0;
  for (const file of files) {
    const agent = file.slice(0, -'.json'.length);
    let siteId: unknown;
    try {
      siteId = (
        parseJson(await readFile(join(templatesDir, 'agents', file), 'utf8'), 4 * 1024 * 1024) as {
          siteId?: unknown;
        }
      )?.siteId;
    } catch (err) {
      errors.push(`${agent}: (root): ${(err as Error).message}`);
      continue;
    }
    if (typeof siteId !== 'string') {
      errors.push(`${agent}: siteId: required in an overlay to check it`);
      continue;
    }
    const r = await render({ site: siteId, agent, templatesDir, secrets: PLACEHOLDER });
    if (!r.ok) {
      for (const e of r.errors) errors.push(`${agent}: ${e}`);
      continue;
    }
    const items: Array<['sensorId' | 'cameraId', string[]]> = [
      ['sensorId', r.document.sensors.map((s) => s.sensorId)],
      ['cameraId', r.document.cameras.map((c) => c.cameraId)],
    ];
    sensors += r.document.sensors.length;
    cameras += r.document.cameras.length;
    for (const [kind, ids] of items) {
      for (const id of ids) {
        const owner = owners[kind].get(id);
        if (owner !== undefined && owner !== agent)
          errors.push(`${agent}: ${kind} "${id}" is also used by agent ${owner}`);
        else owners[kind].set(id, agent);
      }
    }
  }
  return { agents: files.length, sensors, cameras, errors };
}

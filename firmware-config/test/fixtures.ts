/** A small valid document (one agent, Modbus + MQTT drivers, two sensors, one camera). */
export function sampleConfig(): Record<string, unknown> {
  return {
    siteId: 'suwon',
    agentId: 'suwon-gw-01',
    central: { url: 'mqtt://127.0.0.1:1883', username: 'suwon-gw-01', password: 's3cret-pass' },
    field: { url: 'mqtt://127.0.0.1:1884' },
    dataDir: '/var/lib/gwanje',
    drivers: [
      { id: 'field', type: 'mqtt' },
      { id: 'plc', type: 'modbus-tcp', host: '10.0.0.20' },
    ],
    sensors: [
      {
        sensorId: 'suwon-ch4-1',
        metric: 'gas',
        gas: 'CH4',
        unit: '%LEL',
        driver: 'field',
        cameras: [{ cameraId: 'suwon-cam-1' }],
      },
      {
        sensorId: 'suwon-co-1',
        metric: 'gas',
        gas: 'CO',
        unit: 'ppm',
        driver: 'plc',
        range: { min: 0, max: 500 },
        address: { unitId: 1, register: 40001, rawMin: 0, rawMax: 4095 },
      },
    ],
    cameras: [
      {
        cameraId: 'suwon-cam-1',
        onvif: { url: 'http://10.0.0.5/onvif/device_service', username: 'admin', password: 'cam-pass' },
      },
    ],
  };
}

export type Doc = Record<string, unknown>;

function walkTo(doc: unknown, path: string): [Record<string, unknown>, string] {
  const parts = path.split('.');
  let node = doc as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) node = node[p] as Record<string, unknown>;
  return [node, parts[parts.length - 1]];
}

/** Sets the value at a dotted path such as 'sensors.0.unit'; `undefined` deletes the key. */
export function set(doc: unknown, path: string, value: unknown): void {
  const [node, key] = walkTo(doc, path);
  if (value === undefined) delete node[key];
  else node[key] = value;
}

/** Appends to the array at a dotted path. */
export function push(doc: unknown, path: string, value: unknown): void {
  const [node, key] = walkTo(doc, path);
  (node[key] as unknown[]).push(value);
}

// Render placeholders as they appear in template files (literal text, not JS templates).
// biome-ignore lint/suspicious/noTemplateCurlyInString: a template placeholder
export const AGENT_VAR = '${agentId}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: a template placeholder
export const SITE_VAR = '${siteId}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder render does not know
export const OTHER_VAR = '${other}';

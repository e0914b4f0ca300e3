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

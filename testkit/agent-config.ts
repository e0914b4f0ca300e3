/**
 * The edge-agent config of issue 17's minimal-config tests: exactly the keys CONTRACT "Edge agent"
 * says an operator must set, plus (unless `declared` is false) one declared CH4 sensor with a
 * 0-100 %LEL range and a zero/span calibration: raw 22 reads 10, raw 250 reads 124 (over-range).
 */
export function minimalAgentConfig(o: {
  centralUrl: string;
  username?: string;
  password?: string;
  fieldUrl: string;
  dataDir: string;
  declared?: boolean;
}) {
  return {
    siteId: 'suwon',
    agentId: 'suwon-min-1',
    central: { url: o.centralUrl, username: o.username ?? 'suwon-min-1', password: o.password ?? 'pw' },
    field: { url: o.fieldUrl },
    dataDir: o.dataDir,
    ...(o.declared === false
      ? {}
      : {
          sensors: [
            {
              sensorId: 'suwon-decl-1',
              metric: 'gas',
              gas: 'CH4',
              unit: '%LEL',
              range: { min: 0, max: 100 },
              calibration: { zero: 2, span: 0.5 },
            },
          ],
        }),
  };
}

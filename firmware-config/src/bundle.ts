/**
 * The provisioning bundle for a new Pi: the signed config, the center's public key (the pin),
 * a systemd unit and short install steps. Files holding secrets are written 0600.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SignedConfig } from '@gwanje/protocol';

export const INSTALL_DIR = '/etc/gwanje';
export const DATA_DIR = '/var/lib/gwanje';
export const AGENT_BIN = '/usr/local/bin/gwanje-edge';

export function systemdUnit(agentId: string, siteId: string): string {
  return `[Unit]
Description=Gwanje edge agent ${agentId} (site ${siteId})
Documentation=file://${INSTALL_DIR}/INSTALL.md
Wants=network-online.target
After=network-online.target mosquitto.service

[Service]
Type=simple
User=gwanje
Group=gwanje
ExecStart=${AGENT_BIN} --config ${INSTALL_DIR}/config.json
Restart=always
RestartSec=5
# The store-and-forward queue and lastGood.json live here (CONTRACT "Edge agent": dataDir).
StateDirectory=gwanje
StateDirectoryMode=0700
WorkingDirectory=${DATA_DIR}
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true
ReadWritePaths=${DATA_DIR}

[Install]
WantedBy=multi-user.target
`;
}

export function installSteps(e: SignedConfig, agentId: string, siteId: string, keyId: string): string {
  return `# Installing Gwanje edge agent ${agentId} (site ${siteId})

Config version ${e.version}, signed ${new Date(e.issuedAt).toISOString()} by key ${keyId}.
\`config.json\` holds this agent's broker password: keep the bundle private and delete it once installed.

1. Install Node.js 20 (coreutils 8.30 or later, i.e. Raspberry Pi OS Buster or newer) and the
   Gwanje repository at /opt/gwanje; there, install only the agent's workspaces, keeping dev
   dependencies (esbuild builds the agent's bundle):
   \`npm ci -w protocol -w firmware-config -w edge-agent --include-workspace-root\`, build the
   bundle the service runs (about 56 MB resident) with \`sudo npm run -w edge-agent bundle\`, then
   \`sudo ln -s /opt/gwanje/edge-agent/bin/gwanje-edge.mjs ${AGENT_BIN}\`.
2. A local broker for the field sensors (\`field.url\` in the config), e.g. \`sudo apt install mosquitto\`.
3. Create the service user and copy the bundle:
   \`\`\`
   sudo useradd --system --home ${DATA_DIR} --shell /usr/sbin/nologin gwanje
   sudo install -d -m 0750 -o root -g gwanje ${INSTALL_DIR}
   sudo install -m 0640 -o root -g gwanje config.json ${INSTALL_DIR}/config.json
   sudo install -m 0644 center-public.pem ${INSTALL_DIR}/center-public.pem
   sudo install -m 0644 gwanje-edge.service /etc/systemd/system/gwanje-edge.service
   \`\`\`
4. Check the config before starting: \`gwanje-config verify ${INSTALL_DIR}/config.json --pub ${INSTALL_DIR}/center-public.pem\`.
5. \`sudo systemctl daemon-reload && sudo systemctl enable --now gwanje-edge\`, then
   \`journalctl -u gwanje-edge -f\` until it logs the central connection; the console shows the agent online.

Later configs arrive signed on the agent's \`config\` topic (\`gwanje-config push\`); the agent
accepts only those signed by \`center-public.pem\` and keeps the last good one in ${DATA_DIR}.
`;
}

export interface BundleInput {
  dir: string;
  envelope: SignedConfig;
  publicKeyPem: string;
  agentId: string;
  siteId: string;
  keyId: string;
}

/** Writes the bundle; returns the paths written. */
export async function writeBundle(b: BundleInput): Promise<string[]> {
  await mkdir(b.dir, { recursive: true, mode: 0o700 });
  await chmod(b.dir, 0o700);
  const files: Array<[string, string, number]> = [
    ['config.json', `${JSON.stringify(b.envelope, null, 2)}\n`, 0o600],
    ['center-public.pem', b.publicKeyPem, 0o644],
    ['gwanje-edge.service', systemdUnit(b.agentId, b.siteId), 0o644],
    ['INSTALL.md', installSteps(b.envelope, b.agentId, b.siteId, b.keyId), 0o644],
  ];
  const written: string[] = [];
  for (const [name, text, mode] of files) {
    const path = join(b.dir, name);
    await writeFile(path, text, { mode });
    await chmod(path, mode);
    written.push(path);
  }
  return written;
}

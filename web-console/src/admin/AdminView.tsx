/** Admin screen, shown only to role admin (the server enforces it too: 403 otherwise). */

import { AuditView } from '../supervise/AuditView.js';
import { AgentList } from './AgentList.js';
import { AgentsAdmin } from './AgentsAdmin.js';
import { DiscoveredSensors } from './DiscoveredSensors.js';
import { FireWatchAdmin } from './FireWatchAdmin.js';
import { SensorRules } from './SensorRules.js';
import { UsersAdmin } from './UsersAdmin.js';

/** `sensorId` (route #/admin/<sensorId>) opens that sensor in the rules form. */
export function AdminView({ sensorId }: { sensorId?: string | null } = {}) {
  return (
    <div className="admin-view">
      <AgentsAdmin />
      <AgentList />
      <UsersAdmin />
      <DiscoveredSensors />
      <SensorRules focus={sensorId ?? undefined} />
      <FireWatchAdmin />
      <AuditView />
    </div>
  );
}

/** Admin screen, shown only to role admin (the server enforces it too: 403 otherwise). */
import { AgentList } from './AgentList.js';
import { AgentsAdmin } from './AgentsAdmin.js';
import { AuditAdmin } from './AuditAdmin.js';
import { FireWatchAdmin } from './FireWatchAdmin.js';
import { SensorRules } from './SensorRules.js';
import { UsersAdmin } from './UsersAdmin.js';

export function AdminView() {
  return (
    <div className="admin-view">
      <AgentsAdmin />
      <AgentList />
      <UsersAdmin />
      <SensorRules />
      <FireWatchAdmin />
      <AuditAdmin />
    </div>
  );
}

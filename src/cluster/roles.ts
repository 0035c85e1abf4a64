import { randomBytes } from 'node:crypto';
import { agentQueue, type ClusterDb, checkAgentName, ensureQueue } from './db.js';

/** The group of every agent's role: the grants and row policies below are made for it once. */
const AGENTS_GROUP = 'dsr_agents';

/**
 * What an agent's role may do: read and write only its own rows. An agent's role is named after its
 * queue (`dsr-agent-NAME`), so a row is its own when it names that queue or that agent. Tables'
 * owner (the coordinator's role) is not bound by these policies.
 */
const AGENT_ACCESS_SQL = `
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${AGENTS_GROUP}') THEN
    CREATE ROLE ${AGENTS_GROUP} NOLOGIN;
  END IF;
END $$;
GRANT USAGE ON SCHEMA dsr, pgboss TO ${AGENTS_GROUP};
GRANT SELECT, INSERT, UPDATE ON dsr.agent, dsr.job TO ${AGENTS_GROUP};
GRANT SELECT, INSERT, DELETE ON dsr.export_chunk TO ${AGENTS_GROUP};
GRANT SELECT ON pgboss.version, pgboss.queue TO ${AGENTS_GROUP};
GRANT SELECT, INSERT, UPDATE, DELETE ON pgboss.job TO ${AGENTS_GROUP};
ALTER TABLE dsr.agent ENABLE ROW LEVEL SECURITY;
ALTER TABLE dsr.job ENABLE ROW LEVEL SECURITY;
ALTER TABLE pgboss.job ENABLE ROW LEVEL SECURITY;
ALTER TABLE pgboss.queue ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_row ON dsr.agent;
CREATE POLICY own_row ON dsr.agent TO ${AGENTS_GROUP}
  USING (current_user = 'dsr-agent-' || name) WITH CHECK (current_user = 'dsr-agent-' || name);
DROP POLICY IF EXISTS own_jobs ON dsr.job;
CREATE POLICY own_jobs ON dsr.job TO ${AGENTS_GROUP}
  USING (current_user = 'dsr-agent-' || host) WITH CHECK (current_user = 'dsr-agent-' || host);
ALTER TABLE dsr.export_chunk ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_chunks ON dsr.export_chunk;
CREATE POLICY own_chunks ON dsr.export_chunk TO ${AGENTS_GROUP}
  USING (current_user = 'dsr-agent-' || host) WITH CHECK (current_user = 'dsr-agent-' || host);
GRANT SELECT, INSERT, UPDATE, DELETE ON dsr.index_file, dsr.index_token TO ${AGENTS_GROUP};
GRANT USAGE ON SEQUENCE dsr.index_file_id_seq TO ${AGENTS_GROUP};
ALTER TABLE dsr.index_file ENABLE ROW LEVEL SECURITY;
ALTER TABLE dsr.index_token ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_files ON dsr.index_file;
CREATE POLICY own_files ON dsr.index_file TO ${AGENTS_GROUP}
  USING (current_user = 'dsr-agent-' || host) WITH CHECK (current_user = 'dsr-agent-' || host);
DROP POLICY IF EXISTS own_tokens ON dsr.index_token;
CREATE POLICY own_tokens ON dsr.index_token TO ${AGENTS_GROUP}
  USING (current_user = 'dsr-agent-' || host) WITH CHECK (current_user = 'dsr-agent-' || host);
DROP POLICY IF EXISTS own_queue ON pgboss.job;
CREATE POLICY own_queue ON pgboss.job TO ${AGENTS_GROUP}
  USING (name = current_user) WITH CHECK (name = current_user);
DROP POLICY IF EXISTS own_queue ON pgboss.queue;
CREATE POLICY own_queue ON pgboss.queue FOR SELECT TO ${AGENTS_GROUP} USING (name = current_user);
`;

/**
 * Makes (or gives a new password to) the database role of agent `name`, limited to its own queue and
 * rows, and makes its queue. Run with the role that owns dsr's tables (it needs CREATEROLE). Returns
 * `url` with the agent's role and password in place of the caller's.
 */
export async function createAgentRole(db: ClusterDb, url: string, name: string): Promise<string> {
  checkAgentName(name);
  const role = agentQueue(name);
  // Letters and digits only: it goes into SQL as a literal (CREATE ROLE takes no parameters).
  const password = randomBytes(24).toString('hex');
  await ensureQueue(db, role);
  await db.transaction(async (client) => {
    await client.query(AGENT_ACCESS_SQL);
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    await client.query(
      exists.rowCount
        ? `ALTER ROLE "${role}" LOGIN PASSWORD '${password}'`
        : `CREATE ROLE "${role}" LOGIN PASSWORD '${password}' IN ROLE ${AGENTS_GROUP}`,
    );
  });
  const u = new URL(url);
  u.username = encodeURIComponent(role);
  u.password = password;
  return u.toString();
}

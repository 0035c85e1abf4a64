import type { ClusterDb } from '../../src/cluster/db.js';

/** A command's connection to the cluster's database, and the stop its signals ask for. */
export interface ClusterSession {
  db: ClusterDb;
  /** Aborted by SIGINT or SIGTERM: the command finishes what it can and ends. */
  signal: AbortSignal;
  /** Lets go of the signals and the connection. */
  close(): Promise<void>;
}

/**
 * Connects to the database at `url` (pg and pg-boss load only here) and turns SIGINT and SIGTERM into
 * `signal`, saying `dsr: stopping — <stopping>` on stderr where given.
 */
export async function openClusterSession(url: string, stopping?: string): Promise<ClusterSession> {
  const { connectCluster } = await import('../../src/cluster/db.js');
  const db = await connectCluster(url);
  const abort = new AbortController();
  const onSignal = () => {
    if (stopping) process.stderr.write(`\ndsr: stopping — ${stopping}\n`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    db,
    signal: abort.signal,
    async close() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await db.close();
    },
  };
}

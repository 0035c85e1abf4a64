/**
 * The file Piscina loads in each worker thread. CommonJS on purpose: Piscina `require()`s its task
 * file, and Node 20 aborts the whole process (a fatal V8 error in `require(esm)`) when a worker is
 * terminated while an ES module graph is being instantiated synchronously — as happens when a scan
 * ends or a time limit strikes while a worker is still starting. The real worker module is loaded
 * here with an asynchronous import, which a termination simply cancels; it starts at once, so a
 * warmed-up worker has it ready before its first task.
 */
type Worker = typeof import('./worker.js');

const loading: Promise<Worker> = import('./worker.js');
// Reported with the first task instead, should loading fail.
loading.catch(() => undefined);

async function runTask(...args: Parameters<Worker['default']>): ReturnType<Worker['default']> {
  return (await loading).default(...args);
}

export = runTask;

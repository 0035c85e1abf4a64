/**
 * The file Piscina loads in each worker thread. CommonJS on purpose: Piscina `require()`s its task
 * file, and Node 20 aborts the whole process (a fatal V8 error in `require(esm)`) when a worker is
 * terminated while an ES module graph is being instantiated synchronously — as happens when a scan
 * ends or a time limit strikes while a worker is still starting. The real worker module is loaded
 * here with an asynchronous import, which a termination simply cancels.
 *
 * The handler is exported as a promise, which Piscina awaits before the worker reports ready: once
 * ready, an idle worker blocks its event loop in `Atomics.wait` until a task comes, so a module graph
 * still loading then would only go on loading after the first task had arrived.
 */
type Worker = typeof import('./worker.js');
type Handler = Worker['default'];

const handler: Promise<Handler> = import('./worker.js').then(
  (m) => m.default,
  // Reported with each task instead: a worker that cannot load must not die before it has one.
  (err: unknown): Handler =>
    () =>
      Promise.reject(err),
);

export = { __esModule: true, default: handler };

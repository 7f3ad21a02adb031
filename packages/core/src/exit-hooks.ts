interface Closable {
  flush(): Promise<void>;
  stats(): { queued: number };
  shutdown(): Promise<void>;
}

/** Flushes on `beforeExit`, and on SIGTERM/SIGINT shuts down before re-raising the signal. Returns an uninstaller. */
export function installExitHooks(service: Closable): () => void {
  let flushing = false;
  const onBeforeExit = () => {
    if (flushing || service.stats().queued === 0) return;
    flushing = true;
    void service.flush().finally(() => {
      flushing = false;
    });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    void service.shutdown().finally(() => process.kill(process.pid, signal));
  };
  const remove = () => {
    process.off('beforeExit', onBeforeExit);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  process.on('beforeExit', onBeforeExit);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return remove;
}

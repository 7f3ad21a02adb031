// A broken sink for the contract's own tests: close() waits on an unref'd timer, so in a bare
// process the loop empties first and close() never settles (the bug the contract catches).
export default () => ({
  sink: {
    name: 'hanging-close',
    write() {},
    flush() {},
    close: () => new Promise((resolve) => setTimeout(resolve, 60_000).unref()),
  },
});

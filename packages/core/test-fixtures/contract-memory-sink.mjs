// Opened by the sink contract's bare-process test: the memory sink from the built testing entry point.
import { createMemorySink } from '../dist/testing/index.js';

export default () => ({ sink: createMemorySink() });

// Opened by the sink contract's bare-process test (`describeSinkContract` in @obs/core/testing):
// the collector's live stats sink, from the built app.
import { createLiveStatsSink } from '../dist/live-stats.js';

export default () => ({ sink: createLiveStatsSink() });

// Opened by the sink contract's bare-process test (`describeSinkContract` in @obs/core/testing):
// a PostgreSQL sink on a schema of its own, from the built package. The argument is `{ url, schema }`.
import { createPostgresSink } from '../dist/index.js';

export default ({ url, schema }) => ({ sink: createPostgresSink({ url, schema }) });

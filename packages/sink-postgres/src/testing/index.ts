export { freshSchema } from './fresh-schema.js';
export {
  findPostgresBinDir,
  type StartTestPostgresOptions,
  startTestPostgres,
  type TestPostgres,
} from './test-postgres.js';

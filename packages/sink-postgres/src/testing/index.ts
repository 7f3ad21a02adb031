export { freshSchema } from './fresh-schema.js';
export { type ProvidingProject, postgresGlobalSetup } from './postgres-global-setup.js';
export {
  findPostgresBinDir,
  type StartTestPostgresOptions,
  startTestPostgres,
  type TestPostgres,
} from './test-postgres.js';

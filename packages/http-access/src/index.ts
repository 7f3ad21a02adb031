export {
  ACCESS_DENIAL_CODES,
  type AccessCheckOptions,
  type AccessDenial,
  type AccessDenialCode,
  AccessGuard,
  type AccessGuardOptions,
  type AccessRequest,
  bearerToken,
  hostNameOf,
  isLoopbackHost,
  tokenMatches,
} from './access-guard.js';

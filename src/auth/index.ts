/** Authentication's public surface: API keys, JWT bearer tokens, Authorization header parsing. */
export { API_KEY_PREFIX, createApiKey, createApiKeyLookup, hashApiKey, isApiKeyShaped, type ApiKeyEntry, type ApiKeyLookup } from './api-keys';
export { AuthConfigError, authConfigSchema, parseAuthConfig, type AuthConfig, type AuthConfigInput, type JwtAlgorithm, type JwtConfig } from './auth-config';
export type { AuthFailureReason, AuthResult, Authenticator } from './auth-result';
export { createAuthenticator } from './authenticator';
export { MAX_AUTHORIZATION_LENGTH, parseAuthorization, type Credential } from './authorization-header';
export { defaultAuthIo, type AuthIo } from './jwt-keys';

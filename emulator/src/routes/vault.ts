import { ApiError, invalidParameter } from '../errors';
import { type Route, header, iso } from '../http';
import { RetryTokens } from '../retry-tokens';
import type { Services } from '../services';
import type { KeyRec, KeyVersionRec, SecretRec } from '../state';

/** GetSecretBundleRequest.Stage in oci-secrets. */
const SECRET_STAGES: readonly string[] = ['CURRENT', 'PENDING', 'LATEST', 'PREVIOUS', 'DEPRECATED'];

/** Vault (KmsVaultClient), Key Management (KmsManagementClient) and Secrets (SecretsClient). */
export function vaultRoutes(services: Services): Route[] {
  const { state } = services;
  const retryTokens = new RetryTokens(state.assumptions.retryTokenConflict);
  const notFound = (what: string, id: string): ApiError =>
    ApiError.from(state.assumptions.notFoundGeneric, `${what} ${id} not found or not authorized`);

  const keyOf = (id: string): KeyRec => {
    const key = state.keys.get(id);
    if (!key) throw notFound('Key', id);
    return key;
  };

  const keyJson = (k: KeyRec): Record<string, unknown> => ({
    compartmentId: k.compartmentId,
    currentKeyVersion: state.currentKeyVersion(k).id,
    definedTags: {},
    displayName: k.displayName,
    freeformTags: {},
    id: k.id,
    keyShape: { algorithm: 'AES', length: 32 },
    protectionMode: 'HSM',
    lifecycleState: k.lifecycleState,
    timeCreated: iso(k.timeCreated),
    vaultId: k.vaultId,
    isPrimary: true,
    isAutoRotationEnabled: false,
  });

  const versionJson = (v: KeyVersionRec): Record<string, unknown> => ({
    compartmentId: v.compartmentId,
    id: v.id,
    keyId: v.keyId,
    lifecycleState: 'ENABLED',
    origin: 'INTERNAL',
    timeCreated: iso(v.timeCreated),
    vaultId: v.vaultId,
    isPrimary: true,
    isAutoRotated: v.isAutoRotated,
  });

  /**
   * GetSecretBundle: "a secret bundle that matches either the specified `stage`, `secretVersionName`,
   * or `versionNumber` parameter. If none of these parameters are provided, the bundle for the secret
   * version marked as `CURRENT` will be returned" (SecretsClient.getSecretBundle). Stages here: the
   * newest version is CURRENT and LATEST, the one before it PREVIOUS (no PENDING / DEPRECATED versions,
   * secret rotation is not modelled). Several selectors must all match the same version.
   */
  const secretBundle = (s: SecretRec, versionNumber: number | undefined, versionName: string | undefined, stage: string | undefined): Record<string, unknown> => {
    const count = s.versions.length;
    const stagesOf = (i: number): string[] => (i === count - 1 ? ['CURRENT', 'LATEST'] : i === count - 2 ? ['PREVIOUS'] : []);
    if (stage !== undefined && !SECRET_STAGES.includes(stage)) throw invalidParameter(`Invalid stage '${stage}'; valid stages are ${SECRET_STAGES.join(', ')}`);
    const versions = s.versions;
    const index = versions.findIndex((v, i) =>
      (versionNumber === undefined || v.versionNumber === versionNumber) &&
      (versionName === undefined || v.versionName === versionName) &&
      (stage === undefined ? versionNumber !== undefined || versionName !== undefined || stagesOf(i).includes('CURRENT') : stagesOf(i).includes(stage)));
    const v = versions[index];
    if (!v) throw notFound('Secret version', `${s.id}/${versionNumber ?? versionName ?? stage ?? 'CURRENT'}`);
    return {
      secretId: s.id,
      timeCreated: iso(v.timeCreated),
      versionNumber: v.versionNumber,
      // A version that was never named has no name: OCI answers null, not a made-up label.
      versionName: v.versionName ?? null,
      secretBundleContent: { contentType: 'BASE64', content: v.content },
      stages: stagesOf(index),
      metadata: {},
    };
  };

  return [
    {
      method: 'GET', pattern: /^\/20180608\/vaults\/([^/]+)$/, operation: 'GetVault',
      handler: (ctx) => {
        const v = state.vaults.get(ctx.params[0] as string);
        if (!v) throw notFound('Vault', ctx.params[0] as string);
        return {
          status: 200,
          headers: { etag: v.id.slice(-16) },
          body: {
            compartmentId: v.compartmentId, cryptoEndpoint: state.url, definedTags: {}, displayName: v.displayName,
            freeformTags: {}, id: v.id, lifecycleState: 'ACTIVE', managementEndpoint: state.url,
            timeCreated: iso(v.timeCreated), vaultType: 'DEFAULT', wrappingkeyId: v.wrappingkeyId,
            isPrimary: true, isVaultReplicable: false,
          },
        };
      },
    },
    {
      method: 'GET', pattern: /^\/20180608\/keys\/([^/]+)$/, operation: 'GetKey',
      handler: (ctx) => {
        const k = keyOf(ctx.params[0] as string);
        return { status: 200, body: keyJson(k), headers: { etag: k.etag } };
      },
    },
    {
      method: 'GET', pattern: /^\/20180608\/keys\/([^/]+)\/keyVersions$/, operation: 'ListKeyVersions',
      handler: (ctx) => {
        const k = keyOf(ctx.params[0] as string);
        const sortBy = ctx.query.get('sortBy') ?? 'TIMECREATED';
        if (sortBy !== 'TIMECREATED' && sortBy !== 'DISPLAYNAME') throw invalidParameter(`Invalid sortBy '${sortBy}'`);
        const order = ctx.query.get('sortOrder') ?? (sortBy === 'TIMECREATED' ? 'DESC' : 'ASC');
        if (order !== 'ASC' && order !== 'DESC') throw invalidParameter(`Invalid sortOrder '${order}'`);
        const limit = ctx.query.int('limit') ?? 100;
        if (limit < 1 || limit > 1000) throw invalidParameter(`limit must be between 1 and 1000, got ${limit}`);
        const page = ctx.query.get('page');
        const offset = page === undefined ? 0 : Number.parseInt(page, 10);
        if (!Number.isInteger(offset) || offset < 0) throw invalidParameter(`Invalid page '${page}'`);
        const ordered = order === 'ASC' ? [...k.versions] : [...k.versions].reverse();
        const items = ordered.slice(offset, offset + limit).map(versionJson);
        return {
          status: 200, body: items,
          headers: { 'opc-next-page': offset + limit < ordered.length ? String(offset + limit) : undefined },
        };
      },
    },
    {
      method: 'GET', pattern: /^\/20180608\/keys\/([^/]+)\/keyVersions\/([^/]+)$/, operation: 'GetKeyVersion',
      handler: (ctx) => {
        const k = keyOf(ctx.params[0] as string);
        const v = k.versions.find((x) => x.id === ctx.params[1]);
        if (!v) throw notFound('Key version', ctx.params[1] as string);
        return { status: 200, body: versionJson(v), headers: { etag: v.id.slice(-16) } };
      },
    },
    {
      method: 'POST', pattern: /^\/20180608\/keys\/([^/]+)\/keyVersions$/, operation: 'CreateKeyVersion', write: true,
      handler: (ctx) => {
        const keyId = ctx.params[0] as string;
        return retryTokens.once('CreateKeyVersion', header(ctx, 'opc-retry-token'), keyId, () => {
          const v = state.rotateKey(keyId);
          return { status: 200, body: versionJson(v), headers: { etag: v.id.slice(-16) } };
        });
      },
    },
    {
      method: 'GET', pattern: /^\/20190301\/secretbundles\/([^/]+)$/, operation: 'GetSecretBundle',
      handler: (ctx) => {
        const s = state.secrets.get(ctx.params[0] as string);
        if (!s) throw notFound('Secret', ctx.params[0] as string);
        const bundle = secretBundle(s, ctx.query.int('versionNumber'), ctx.query.get('secretVersionName'), ctx.query.get('stage'));
        return { status: 200, body: bundle, headers: { etag: `${s.id.slice(-8)}-${String(bundle['versionNumber'])}` } };
      },
    },
  ];
}

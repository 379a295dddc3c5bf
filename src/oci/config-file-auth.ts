import {
  ConfigFileAuthenticationDetailsProvider, ConfigFileReader, SessionAuthDetailProvider, type AuthenticationDetailsProvider,
} from 'oci-common';
import { InvalidConfigurationError } from '../errors';

/**
 * A profile from `oci session authenticate` has `security_token_file`. The
 * SDK's ConfigFileAuthenticationDetailsProvider reads that file but still
 * signs with `tenancy//fingerprint` (no user): only SessionAuthDetailProvider
 * signs with `ST$<token>` (checked in oci-common 2.139.1, OCI-NOTES.md).
 * It keeps the file's bytes as they are, so a trailing newline would end up
 * in the Authorization header: trimmed here.
 */
class SessionTokenProvider extends SessionAuthDetailProvider {
  override async getSecurityToken(): Promise<string> {
    return (await super.getSecurityToken()).trim();
  }
}

export interface ConfigFileAuth {
  readonly file?: string;
  readonly profile: string;
  /** Overrides the profile's region (the OCI CLI's --region). */
  readonly region?: string;
}

/** The provider for an OCI config-file profile: API key, or session token when the profile has one. */
export function configFileProvider(auth: ConfigFileAuth): AuthenticationDetailsProvider {
  // The SDK refuses a profile without a region before we could set one; OCI_REGION is its documented fallback.
  if (auth.region && !process.env.OCI_REGION) process.env.OCI_REGION = auth.region;
  let provider: ConfigFileAuthenticationDetailsProvider;
  try {
    const profile = auth.file ? ConfigFileReader.parseFileFromPath(auth.file, auth.profile) : ConfigFileReader.parseDefault(auth.profile);
    const Provider = profile.get('security_token_file') ? SessionTokenProvider : ConfigFileAuthenticationDetailsProvider;
    provider = new Provider(auth.file ?? '', auth.profile);
    if (auth.region) provider.setRegion(auth.region);
  } catch (err) {
    // The SDK throws strings as well as Errors; neither carries key material.
    const why = err instanceof Error ? err.message : String(err);
    throw new InvalidConfigurationError(
      `Cannot use profile ${auth.profile} of ${auth.file ?? ConfigFileReader.DEFAULT_FILE_PATH}: ${why.split('\n')[0]}`,
      [{ field: 'REENCRYPT_OCI_CONFIG_PROFILE', problem: `cannot be loaded: ${why.split('\n')[0]}` }],
    );
  }
  return provider;
}

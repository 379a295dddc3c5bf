export { startEmulator, Emulator } from './emulator';
export type { EmulatorOptions, VaultInfo, KeyInfo, KeyVersionInfo, BucketInfo } from './emulator';
export { DEFAULT_ASSUMPTIONS } from './assumptions';
export type { Assumptions, ErrorAnswer } from './assumptions';
export type { ResourcePrincipalEnv, ApiKeyPrincipal, Principal } from './auth';
export type { FaultConfig, FaultSettings, CountersSnapshot, RouteCounters, FaultKind } from './faults';
export type { InvocationRecord, RegisterFunctionInput } from './functions';
export type { OciEvent, EventRule, EventRuleInput, DeliveryRecord, EventsOptions } from './events';
export type { PostedMetric } from './monitoring';
export type { CreateBucketInput, UpdateBucketInput, CompartmentRec } from './state';
export { EmulatorState } from './state';
export type {
  Encryption,
  EncryptionInput,
  EncryptionRow,
  EncryptionSummaryRow,
  ReadEncryptionOptions,
  SeedGenerator,
  SeedObject,
  SeedResult,
  SeedVersion,
  StorageTier,
  ArchivalState,
} from './types';
export { ApiError, EmulatorUsageError } from './errors';

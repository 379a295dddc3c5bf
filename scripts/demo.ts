/**
 * npm run demo: the whole loop on the embedded emulator.
 *
 * 1. Start the OCI emulator and seed a versioned and an unversioned bucket with
 *    a few thousand objects under key version 1 (plus an SSE-C object and an
 *    archived one).
 * 2. Start the built function (dist/func.js) under the Fn FDK, with an
 *    emulator-issued resource principal, and route OCI events to it.
 * 3. Rotate the key: the Key Management event reaches the function, which
 *    sweeps both buckets. Show progress and a before/after summary.
 * 4. Upload an object under a foreign key: the compliance hook fixes it.
 * Exits 0 only when the end state is verified.
 */
import { SimpleAuthenticationDetailsProvider, Region } from 'oci-common';
import { ObjectStorageClient } from 'oci-objectstorage';
import { startEmulator, type Emulator } from '../emulator/src/index';
import { EventTypes } from '../src/input/event-types';
import { startFunction } from './lib/fdk-process';

const OBJECTS_PER_BUCKET = 3000;
const BUCKETS = ['finance-versioned', 'finance-plain'] as const;

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function summary(emu: Emulator, bucket: string, names: Map<string, string>): string {
  return emu.encryptionSummary(bucket, { includeVersions: true })
    .map((row) => `${row.count} × ${row.kind === 'kms' ? `key version ${names.get(row.keyVersionId ?? '') ?? row.keyVersionId}` : row.kind === 'sse-c' ? 'SSE-C customer key' : 'Oracle-managed key'}`)
    .join(', ');
}

async function main(): Promise<number> {
  const emu = await startEmulator();
  const compartmentId = emu.createCompartment({ name: 'finance' }).id;
  const vault = emu.createVault({ compartmentId, displayName: 'finance-vault' });
  const key = emu.createKey({ vaultId: vault.id, compartmentId, displayName: 'finance-master-key' });
  const foreignKey = emu.createKey({ vaultId: vault.id, compartmentId, displayName: 'someone-elses-key' });
  const versionNames = new Map([[key.currentKeyVersion, '1']]);
  log(`emulator listening on ${emu.url} (namespace ${emu.state.namespace})`);

  const hourAgo = new Date(Date.now() - 3_600_000);
  emu.createBucket({ compartmentId, name: BUCKETS[0], kmsKeyId: key.id, versioning: 'Enabled', objectEventsEnabled: true });
  emu.createBucket({ compartmentId, name: BUCKETS[1], kmsKeyId: key.id, objectEventsEnabled: true });
  emu.seedObjects(BUCKETS[0], { count: OBJECTS_PER_BUCKET, prefix: 'reports/2026/q1 ', suffix: '.csv', timeModified: hourAgo, timeStepMs: 10, encryption: { kind: 'kms', keyId: key.id }, extraVersions: 1 });
  emu.seedObjects(BUCKETS[1], { count: OBJECTS_PER_BUCKET, prefix: 'ledger/entry #', timeModified: hourAgo, timeStepMs: 10, encryption: { kind: 'kms', keyId: key.id } });
  emu.seedObjects(BUCKETS[1], [
    { name: 'customer-key/secret.bin', timeModified: hourAgo, encryption: { kind: 'sse-c', keySha256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' } },
    { name: 'cold/2019-archive.tar', timeModified: hourAgo, storageTier: 'Archive', archivalState: 'Archived', encryption: { kind: 'kms', keyId: key.id } },
  ]);
  log(`seeded ${BUCKETS.join(' and ')}: ${OBJECTS_PER_BUCKET} objects each (the versioned one with 2 versions per object), plus an SSE-C object and an archived one`);
  log();
  log('before the rotation:');
  for (const b of BUCKETS) log(`  ${b}: ${summary(emu, b, versionNames)}`);

  const fn = await startFunction({
    ...emu.issueResourcePrincipal({ compartmentId }),
    REENCRYPT_OBJECTSTORAGE_ENDPOINT: emu.url,
    REENCRYPT_KMS_VAULT_ENDPOINT: emu.url,
    REENCRYPT_SECRETS_ENDPOINT: emu.url,
    REENCRYPT_COMPARTMENT_IDS: compartmentId,
    REENCRYPT_VAULT_IDS: vault.id,
  });
  const functionId = emu.registerFunction({ socketPath: fn.socketPath, timeoutSeconds: 300 });
  emu.addEventRule({ eventTypes: [EventTypes.autoKeyRotateEnd, EventTypes.createKeyVersionEnd], functionId });
  emu.addEventRule({ eventTypes: [EventTypes.createObject], functionId, condition: { data: { additionalDetails: { bucketName: [...BUCKETS] } } } });
  log(`function dist/func.js running under the Fn FDK on ${fn.socketPath}`);

  try {
    log();
    log('rotating the key (CreateKeyVersion) ...');
    const v2 = emu.rotateKey(key.id);
    versionNames.set(v2.id, '2');
    const progress = setInterval(() => {
      const done = emu.getCounters().routes.ReencryptObject?.writes ?? 0;
      log(`  ... ${done} object versions re-encrypted`);
    }, 1000);
    await emu.whenIdle();
    clearInterval(progress);
    const rotation = emu.deliveries.find((d) => d.eventType === EventTypes.createKeyVersionEnd);
    const report = JSON.parse(emu.invocations.find((i) => i.callId === rotation?.callId)?.responseBody ?? '{}');
    log(`the ${rotation?.eventType} event reached the function; its report: ${report.totals?.reencrypted} re-encrypted, skipped ${JSON.stringify(report.totals?.skipped)}, ${report.totals?.failed} failed, in ${report.elapsedMs} ms`);
    log();
    log('after the rotation:');
    for (const b of BUCKETS) log(`  ${b}: ${summary(emu, b, versionNames)}`);

    log();
    log('an uploader puts reports/late.csv with someone else\'s key (opc-sse-kms-key-id) ...');
    const uploader = emu.registerApiKey({ userId: 'ocid1.user.oc1..aaaaaaaauploader' });
    const os = new ObjectStorageClient({
      authenticationDetailsProvider: new SimpleAuthenticationDetailsProvider(
        uploader.tenancyId, uploader.userId, uploader.fingerprint, uploader.privateKeyPem ?? '', null, Region.US_PHOENIX_1,
      ),
    });
    os.endpoint = emu.url;
    const put = await os.putObject({
      namespaceName: emu.state.namespace, bucketName: BUCKETS[0], objectName: 'reports/late.csv',
      putObjectBody: 'late,data\n', contentLength: 10, opcSseKmsKeyId: foreignKey.id,
    });
    await emu.whenIdle();
    const uploaded = emu.readEncryption(BUCKETS[0], { prefix: 'reports/late.csv', includeVersions: true }).find((r) => r.versionId === put.versionId);
    log(`the createobject event reached the function: reports/late.csv is now under ${uploaded?.encryption.keyId === key.id ? `the bucket key, version ${versionNames.get(uploaded.encryption.keyVersionId ?? '')}` : JSON.stringify(uploaded?.encryption)}`);

    // Verify the end state.
    const problems: string[] = [];
    for (const b of BUCKETS) {
      for (const row of emu.iterateEncryption(b, { includeVersions: true })) {
        if (row.isDeleteMarker) continue;
        const expected = row.encryption.kind === 'sse-c' || row.archivalState === 'Archived' ? 'unchanged' : v2.id;
        if (expected === v2.id && (row.encryption.keyId !== key.id || row.encryption.keyVersionId !== v2.id)) problems.push(`${b}/${row.name} (${row.versionId}) is not under key version 2`);
        if (row.archivalState === 'Archived' && row.encryption.keyVersionId === v2.id) problems.push(`${b}/${row.name} is archived but was changed`);
      }
    }
    if (report.totals?.skipped?.['sse-c-key-required'] !== 1) problems.push('the SSE-C object was not reported as sse-c-key-required');
    if (report.totals?.skipped?.archived !== 1) problems.push('the archived object was not reported as archived');
    if (report.totals?.reencrypted !== OBJECTS_PER_BUCKET * 3) problems.push(`expected ${OBJECTS_PER_BUCKET * 3} re-encryptions, the report says ${report.totals?.reencrypted}`);
    log();
    if (problems.length > 0) {
      log(`END STATE NOT VERIFIED (${problems.length} problems):`);
      for (const p of problems.slice(0, 20)) log(`  - ${p}`);
      return 1;
    }
    log('end state verified: every version written before the rotation is under key version 2;');
    log('the SSE-C and archived objects were left alone and reported; the foreign-key upload was fixed.');
    return 0;
  } finally {
    await fn.stop();
    await emu.stop();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

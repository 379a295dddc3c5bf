/**
 * npm run demo: the whole loop on the embedded emulator.
 *
 * 1. Start the OCI emulator and seed a versioned and an unversioned bucket with
 *    a few thousand objects under key version 1 (plus an SSE-C object and an
 *    archived one).
 * 2. Start the built function (dist/func.js) under the Fn FDK, with an
 *    emulator-issued resource principal, and route OCI events to it.
 * 3. Rotate the key: the Key Management event reaches the function, which
 *    starts a durable run over both buckets. Each invocation has only a few
 *    seconds (a short Fn-Deadline), so the run continues itself in detached
 *    invocations (containers the emulator starts on demand) until it is done,
 *    and stores its report in the state bucket. Show progress, the stored
 *    report and a before/after summary.
 * 4. Upload an object under a foreign key: the compliance hook fixes it.
 * Exits 0 only when the end state is verified.
 */
import { SimpleAuthenticationDetailsProvider, Region } from 'oci-common';
import { ObjectStorageClient } from 'oci-objectstorage';
import { startEmulator, type Emulator } from '../emulator/src/index';
import { EventTypes } from '../src/input/event-types';
import { FUNC_JS } from './lib/fdk-process';

const OBJECTS_PER_BUCKET = 3000;
const BUCKETS = ['finance-versioned', 'finance-plain'] as const;
const STATE_BUCKET = 'reencrypt-state';
/** Short on purpose: the sweep cannot finish in one invocation, so the run must continue itself. */
const INVOCATION_SECONDS = 6;

/** A record the function stored in the state bucket. */
function stored(emu: Emulator, name: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any -- the demo prints what it finds
  const v = emu.state.buckets.get(STATE_BUCKET)?.store.latest(name);
  const body = v ? emu.state.objectBodies.get(v) : undefined;
  return body ? (JSON.parse(body.toString('utf8')) as { record: unknown }).record : undefined;
}

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

  emu.createBucket({ compartmentId, name: STATE_BUCKET });
  // The function's containers: the emulator starts dist/func.js processes on demand, one call each.
  const functionId = emu.registerFunction({
    timeoutSeconds: INVOCATION_SECONDS, detachedTimeoutSeconds: INVOCATION_SECONDS,
    pool: {
      script: FUNC_JS, maxProcesses: 3,
      env: {
        ...emu.issueResourcePrincipal({ compartmentId }),
        FN_FN_ID: 'ocid1.fnfunc.oc1.phx.aaaaaaaademofunction',
        REENCRYPT_OBJECTSTORAGE_ENDPOINT: emu.url,
        REENCRYPT_KMS_VAULT_ENDPOINT: emu.url,
        REENCRYPT_SECRETS_ENDPOINT: emu.url,
        REENCRYPT_FUNCTIONS_ENDPOINT: emu.url,
        REENCRYPT_COMPARTMENT_IDS: compartmentId,
        REENCRYPT_VAULT_IDS: vault.id,
        REENCRYPT_STATE_BUCKET: STATE_BUCKET,
        REENCRYPT_CHECKPOINT_SECONDS: '2',
        REENCRYPT_SAFETY_MARGIN_SECONDS: '2',
      },
    },
    functionId: 'ocid1.fnfunc.oc1.phx.aaaaaaaademofunction',
  });
  emu.addEventRule({ eventTypes: [EventTypes.autoKeyRotateEnd, EventTypes.createKeyVersionEnd], functionId });
  emu.addEventRule({ eventTypes: [EventTypes.createObject], functionId, condition: { data: { additionalDetails: { bucketName: [...BUCKETS] } } } });
  log(`function dist/func.js: containers started on demand under the Fn FDK, ${INVOCATION_SECONDS} s per invocation, runs kept in ${STATE_BUCKET}`);
  // Some latency, as a real region has, so the sweep outlasts one invocation.
  emu.setGlobalFaults({ latencyMs: 5 });

  try {
    log();
    log('rotating the key (CreateKeyVersion) ...');
    const v2 = emu.rotateKey(key.id);
    versionNames.set(v2.id, '2');
    const progress = setInterval(() => {
      const done = emu.getCounters().routes.ReencryptObject?.writes ?? 0;
      const invocations = emu.invocations.filter((i) => i.functionId === functionId).length;
      log(`  ... ${done} object versions re-encrypted, ${invocations} invocation(s) so far`);
    }, 1000);
    await emu.whenIdle();
    clearInterval(progress);
    emu.setGlobalFaults(undefined);
    const reportName = [...(emu.state.buckets.get(STATE_BUCKET)?.store.namesFrom(0) ?? [])].find((n) => n.endsWith('/report.json'));
    const report = reportName ? stored(emu, reportName) : {};
    const calls = emu.invocations.filter((i) => i.functionId === functionId);
    log(`the ${EventTypes.createKeyVersionEnd} event reached the function once; the run continued itself in ${calls.filter((i) => i.invokeType === 'detached').length} detached invocation(s), with no call from outside`);
    log(`its report, stored at ${STATE_BUCKET}/${reportName}:`);
    log(JSON.stringify({ ...report, buckets: report.buckets?.map(({ failures: _f, ...b }: Record<string, unknown>) => b) }, null, 2).split('\n').map((l) => `  ${l}`).join('\n'));
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
    if (!(report.invocations > 1)) problems.push(`expected a run of several invocations, the report says ${report.invocations}`);
    if (report.complete !== true) problems.push('the stored report does not say complete');
    log();
    if (problems.length > 0) {
      log(`END STATE NOT VERIFIED (${problems.length} problems):`);
      for (const p of problems.slice(0, 20)) log(`  - ${p}`);
      return 1;
    }
    log(`end state verified: the run finished by itself in ${report.invocations} invocations; every version written before the rotation is under key version 2;`);
    log('the SSE-C and archived objects were left alone and reported; the foreign-key upload was fixed.');
    return 0;
  } finally {
    await emu.stop();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

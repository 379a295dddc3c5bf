/** Small factories for OCI events, built from Oracle's documented examples. */
import { randomUUID } from 'node:crypto';

export const COMPARTMENT = 'ocid1.compartment.oc1..aaaaaaaaexamplecompartment';
export const KEY = 'ocid1.key.oc1.phx.exampleaaacu2.aaaaaaaaexamplekey';
export const VAULT = 'ocid1.vault.oc1.phx.exampleaaacu2.aaaaaaaaexamplevault';

type Json = Record<string, unknown>;

export function objectEvent(o: { eventType?: string; namespace?: string; bucketName?: string; objectName?: string; versionId?: string; compartmentId?: string; eventTime?: string } = {}): Json {
  const namespace = o.namespace ?? 'examplens';
  const bucketName = o.bucketName ?? 'finance-data';
  const objectName = o.objectName ?? 'reports/2026/q1 summary.csv';
  const compartmentId = o.compartmentId ?? COMPARTMENT;
  return {
    eventType: o.eventType ?? 'com.oraclecloud.objectstorage.createobject',
    cloudEventsVersion: '0.1',
    eventTypeVersion: '2.0',
    source: 'ObjectStorage',
    eventTime: o.eventTime ?? new Date().toISOString(),
    contentType: 'application/json',
    extensions: { compartmentId },
    data: {
      compartmentId,
      compartmentName: 'example_compartment',
      resourceName: objectName,
      resourceId: `/n/${namespace}/b/${bucketName}/o/${objectName}`,
      availabilityDomain: 'PHX-AD-1',
      freeformTags: {},
      definedTags: {},
      additionalDetails: {
        eTag: randomUUID(), namespace, archivalState: 'Available', bucketName,
        bucketId: 'ocid1.bucket.oc1.phx.aaaaaaaaexamplebucket',
        ...(o.versionId && { versionId: o.versionId }),
      },
    },
    eventID: randomUUID(),
  };
}

export function bucketEvent(o: { namespace?: string; bucketName?: string; compartmentId?: string; eventTime?: string } = {}): Json {
  const namespace = o.namespace ?? 'examplens';
  const bucketName = o.bucketName ?? 'finance-data';
  const compartmentId = o.compartmentId ?? COMPARTMENT;
  return {
    eventType: 'com.oraclecloud.objectstorage.updatebucket',
    cloudEventsVersion: '0.1',
    eventTypeVersion: '2.0',
    source: 'objectstorage',
    eventTime: o.eventTime ?? new Date().toISOString(),
    contentType: 'application/json',
    extensions: { compartmentId },
    data: {
      compartmentId, compartmentName: 'example_compartment', resourceName: bucketName,
      resourceId: `/n/${namespace}/b/${bucketName}`, availabilityDomain: 'all',
      additionalDetails: { bucketName, namespace, publicAccessType: 'NoPublicAccess', versioning: 'Enabled', eTag: randomUUID() },
    },
    eventID: randomUUID(),
  };
}

export function keyEvent(o: { eventType?: string; keyId?: string; vaultId?: string; compartmentId?: string; eventTime?: string; data?: Json } = {}): Json {
  const compartmentId = o.compartmentId ?? COMPARTMENT;
  return {
    eventType: o.eventType ?? 'com.oraclecloud.keymanagementservice.autokeyrotate.end',
    cloudEventsVersion: '0.1',
    eventTypeVersion: '2.0',
    source: 'KeyManagementService',
    eventTime: o.eventTime ?? new Date().toISOString(),
    contentType: 'application/json',
    extensions: { compartmentId },
    data: o.data ?? {
      compartmentId, compartmentName: 'example_compartment', resourceName: 'finance-master-key',
      resourceId: o.keyId ?? KEY, availabilityDomain: 'all',
      additionalDetails: { vaultId: o.vaultId ?? VAULT },
    },
    eventID: randomUUID(),
  };
}

/** The same event in a CloudEvents 1.0 envelope. */
export function asCloudEvents10(event: Json): Json {
  return {
    specversion: '1.0',
    type: event.eventType,
    source: '/service/objectstorage',
    id: event.eventID,
    time: event.eventTime,
    datacontenttype: 'application/json',
    data: event.data,
  };
}

import fdk from '@fnproject/fdk';
fdk.handle(async (input: unknown) => ({ ok: true, input }));

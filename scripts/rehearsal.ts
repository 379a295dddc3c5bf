/**
 * npm run rehearsal: a small tenancy on the emulator (scripts/lib/rehearsal.ts)
 * for trying docs/operations.md. Prints `export` lines; paste them into another
 * shell and run the runbook's commands there. Ctrl-C stops it.
 */
import { startRehearsal } from './lib/rehearsal';

async function main(): Promise<void> {
  const rehearsal = await startRehearsal();
  for (const [k, v] of Object.entries(rehearsal.env)) process.stdout.write(`export ${k}='${v}'\n`);
  process.stderr.write('rehearsal tenancy ready; Ctrl-C to stop\n');
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  await rehearsal.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

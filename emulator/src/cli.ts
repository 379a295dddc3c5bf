import { startEmulator } from './index';

/** `npm run emulator -- --port 0 [--seed N] [--region R] [--namespace NS] [--log]` */
function parseArgs(argv: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const next = argv[i + 1];
    if (inline !== undefined) out[name] = inline;
    else if (next !== undefined && !next.startsWith('--')) {
      out[name] = next;
      i++;
    } else out[name] = true;
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const num = (name: string): number | undefined => {
    const v = args[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== 'string' || !Number.isFinite(n)) throw new Error(`--${name} needs a number`);
    return n;
  };
  const str = (name: string): string | undefined => (typeof args[name] === 'string' ? (args[name] as string) : undefined);
  const emulator = await startEmulator({
    port: num('port') ?? 0,
    seed: num('seed'),
    region: str('region'),
    namespace: str('namespace'),
    tenancyId: str('tenancy'),
    clockSkewToleranceSeconds: num('clock-skew'),
    log: args['log'] === true,
  });
  process.stdout.write(
    `${JSON.stringify({ url: emulator.url, namespace: emulator.state.namespace, region: emulator.state.region, tenancyId: emulator.state.tenancyId, admin: `${emulator.url}/_emulator/`, pid: process.pid })}\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`emulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

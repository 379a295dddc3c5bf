// The FDK ships no types. This declares only the part of its surface we use
// (fn-fdk.js 0.0.76); src/fdk.ts is the one place that touches it.
declare module '@fnproject/fdk' {
  export interface FdkContext {
    readonly callID: string;
    readonly deadline: Date;
    readonly config: Record<string, string | undefined>;
    readonly headers: Record<string, string[]>;
    readonly httpGateway: {
      readonly requestURL: string | null;
      readonly method: string | null;
      statusCode: number;
      setResponseHeader(key: string, ...values: string[]): void;
    };
    getHeader(key: string): string | null;
    responseContentType: string | null;
    setResponseHeader(key: string, ...values: string[]): void;
  }
  export type FdkHandler = (input: Buffer | string | unknown, ctx: FdkContext) => unknown;
  export function handle(fn: FdkHandler, options?: { inputMode?: 'json' | 'string' | 'buffer' }): () => void;
  const fdk: { handle: typeof handle };
  export default fdk;
}

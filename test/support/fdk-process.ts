// The Fn-server side of the FDK contract lives with the scripts (the demo uses it too).
export * from '../../scripts/lib/fdk-process';

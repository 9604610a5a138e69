export default async function globalTeardown(): Promise<void> {
  const state = globalThis as { __temporalDevServer?: { stop(): Promise<void> }; __testPostgres?: { stop(): Promise<void> } };
  await state.__temporalDevServer?.stop();
  await state.__testPostgres?.stop();
}

/** @returns {Promise<void>} */
module.exports = async () => {
  const up = globalThis.__WT_STACK__;
  if (!up || process.env.WT_STACK_KEEP) return;
  const { stackDown } = await import('../stack/stack.mjs');
  await stackDown({ profile: 'test', services: up.startedServices, broker: up.brokerStartedByUs, log: () => {} });
};

/** @returns {Promise<void>} */
module.exports = async () => {
  // Left by global-setup.cjs (same process).
  const up = /** @type {{ __WT_STACK__?: import('./global-setup.cjs').StackUp }} */ (globalThis).__WT_STACK__;
  if (!up || process.env.WT_STACK_KEEP) return;
  const { stackDown } = await import('../stack/stack.mjs');
  await stackDown({ profile: 'test', services: up.startedServices, broker: up.brokerStartedByUs, log: () => {} });
};

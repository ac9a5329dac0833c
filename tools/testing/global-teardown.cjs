/** @returns {Promise<void>} */
module.exports = async () => {
  // Left by global-setup.cjs (same process).
  const up = /** @type {{ __WT_STACK__?: import('./global-setup.cjs').StackUp }} */ (globalThis).__WT_STACK__;
  if (!up || process.env.WT_STACK_KEEP) return;
  // The setup handed our broker's address to the tests in KAFKA_BROKERS; left set, it would make
  // stopBroker take that broker for an external one and leave it running.
  if (up.brokerStartedByUs) delete process.env.KAFKA_BROKERS;
  const { stackDown } = await import('../stack/stack.mjs');
  await stackDown({ profile: 'test', services: up.startedServices, broker: up.brokerStartedByUs, log: () => {} });
};

import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { sandboxGet } from './fault-verify';

describe('fault-verify reading the sandbox', () => {
  it('asks again when the sandbox drops the connection (a starved sandbox, provoked here), and reads the answer', async () => {
    let asked = 0;
    const server = createServer((_req, res) => {
      asked += 1;
      // The first two requests are cut without an answer: fetch rejects with "fetch failed".
      if (asked <= 2) {
        res.socket?.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ rejected: { '131056': 0 } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await expect(sandboxGet(url, '/sandbox/stats', 5, 1)).resolves.toEqual({ rejected: { '131056': 0 } });
      expect(asked).toBe(3);
      // Given up after its attempts: the error is the last one.
      asked = -10;
      await expect(sandboxGet(url, '/sandbox/stats', 2, 1)).rejects.toThrow('fetch failed');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

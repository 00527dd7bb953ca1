import http from 'node:http';
import https from 'node:https';

import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

export interface WebhookPostOptions {
  /** Let requests reach private, loopback and link-local addresses (tests, development). */
  allowPrivateNetworks: boolean;
  /** Longest one request may take, from connecting to the response status. */
  timeoutMs: number;
}

export type PostResult =
  /** The receiver answered; any status, 2xx or not. */
  | { kind: 'answered'; statusCode: number }
  /** The URL may never be called from here: a private address, or not http(s). */
  | { kind: 'refused'; error: string }
  /** No answer: DNS, connection, TLS or timeout. Worth another attempt. */
  | { kind: 'unreachable'; error: string };

export interface WebhookPoster {
  post(url: string, headers: Record<string, string>, body: string): Promise<PostResult>;
  close(): void;
}

/**
 * The agent's own refusal. It throws a plain Error, so its message is the only
 * mark: "DNS lookup <ip>(…) is not allowed. Because, …" (see createConnection
 * and validateIPAddress in azu/request-filtering-agent, src/request-filtering-agent.ts).
 */
const AGENT_REFUSAL = /is not allowed\. Because/;

/**
 * Sends webhooks with node's http(s) client through agents that check every
 * address a host resolves to, so a webhook URL cannot reach the internal
 * network (fetch would ignore the agent). Redirects are not followed: a 3xx
 * is just a status that is not 2xx.
 */
export function createWebhookPoster(options: WebhookPostOptions): WebhookPoster {
  const filter = { allowPrivateIPAddress: options.allowPrivateNetworks, keepAlive: false };
  const agents = {
    'http:': new RequestFilteringHttpAgent(filter),
    'https:': new RequestFilteringHttpsAgent(filter),
  };

  async function post(
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<PostResult> {
    const target = URL.canParse(url) ? new URL(url) : null;
    if (!target) return { kind: 'refused', error: 'not a valid URL' };
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      return { kind: 'refused', error: `${target.protocol} URLs are not called` };
    }

    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      const statusCode = await send(target, { headers, body, signal });
      return { kind: 'answered', statusCode };
    } catch (error: unknown) {
      if (signal.aborted) {
        return { kind: 'unreachable', error: `no answer within ${options.timeoutMs} ms` };
      }
      const message = error instanceof Error ? error.message : String(error);
      if (AGENT_REFUSAL.test(message)) {
        return { kind: 'refused', error: `refused: ${message}` };
      }
      return { kind: 'unreachable', error: message };
    }
  }

  function send(
    target: URL,
    request: { headers: Record<string, string>; body: string; signal: AbortSignal },
  ): Promise<number> {
    const transport = target.protocol === 'https:' ? https : http;
    const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];

    return new Promise<number>((resolve, reject) => {
      const outgoing = transport.request(
        target,
        {
          method: 'POST',
          agent,
          signal: request.signal,
          headers: {
            ...request.headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(request.body),
            'user-agent': 'PixelFlow-Webhooks/1',
          },
        },
        (response) => {
          // Only the status matters; close rather than read what the receiver sent.
          resolve(response.statusCode ?? 0);
          response.destroy();
        },
      );
      outgoing.on('error', reject);
      outgoing.end(request.body);
    });
  }

  return {
    post,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/** Per-connection state: who the client is and where it stands in the SASL exchange. */
export class Session {
  /** `host:port` of the client. */
  readonly remoteAddress: string;
  readonly remoteHost: string;
  authenticated: boolean;
  principal: string | undefined;
  /**
   * 'handshake-v0': SaslHandshake v0 was answered, so the next frame is a bare SASL token (no Kafka header).
   * 'handshake-v1': SaslAuthenticate requests may follow.
   * 'authenticating': a token is being checked (perhaps waiting for fresh credentials); nothing else is accepted meanwhile.
   */
  sasl: 'none' | 'handshake-v0' | 'handshake-v1' | 'authenticating' | 'done' = 'none';
  clientId: string | null = null;

  constructor(remoteHost: string, remotePort: number, authRequired: boolean) {
    this.remoteHost = remoteHost;
    this.remoteAddress = `${remoteHost}:${remotePort}`;
    this.authenticated = !authRequired;
  }
}

import { RemovalPolicy, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * FJORD_SECRET_KEY, the server secret every control-plane replica shares (broker tokens and the
 * control plane's own Kafka credential derive from it). Secrets Manager generates it at deploy time
 * and ECS hands it to the tasks, so it never appears in the template or a task definition.
 */
export class ServerSecret extends Construct {
  /** Characters drawn from A-Z, a-z, 0-9: the text is canonical base64 (64 characters, 48 bytes). */
  static readonly LENGTH = 64;
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Fjord server secret (FJORD_SECRET_KEY): broker tokens derive from it; replacing it rotates every broker token',
      // 64 characters of a 62-letter alphabet carry 381 bits, well over the 256 the control plane asks for.
      generateSecretString: {
        passwordLength: ServerSecret.LENGTH,
        excludePunctuation: true,
        includeSpace: false,
      },
      // Losing it would invalidate every broker token at once: it outlives a deleted stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

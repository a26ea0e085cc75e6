import type { ClusterApiKey } from '@fjord/api';
import { useState } from 'react';
import { CopyButton } from '../components/copy-button.tsx';
import { SelectField } from '../components/field.tsx';
import { caFile, clientConfigs } from './client-configs.ts';

export interface KnownSecret {
  key: string;
  secret: string;
}

/** Client configs filled with the bootstrap address and the key chosen (and its secret, while this page still has it). */
export function ClientConfigsPanel({ clusterId, bootstrapServers, keys, known }: { clusterId: string; bootstrapServers: string; keys: ClusterApiKey[]; known?: KnownSecret }) {
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const key = chosen ?? known?.key ?? keys[0]?.key ?? '<cluster-api-key>';
  const secret = known && known.key === key ? known.secret : '<cluster-api-secret>';
  const configs = clientConfigs({ bootstrapServers, key, secret });
  const [tab, setTab] = useState(configs[0].id);
  const current = configs.find((c) => c.id === tab) ?? configs[0];
  return (
    <section className="card" aria-labelledby="connect-title">
      <h2 id="connect-title">Connect a client</h2>
      <p className="muted">
        Brokers speak SASL_SSL. Save the cluster's CA certificate as <code>{caFile}</code>:{' '}
        <a href={`/v1/clusters/${clusterId}/ca.pem`} download={caFile}>
          Download CA certificate
        </a>
      </p>
      {keys.length > 0 && (
        <SelectField label="Cluster API key" value={key} onChange={(e) => setChosen(e.target.value)}>
          {keys.map((k) => (
            <option key={k.id} value={k.key}>
              {k.key} ({k.description})
            </option>
          ))}
        </SelectField>
      )}
      <div role="tablist" aria-label="Client" className="tabs">
        {configs.map((c) => (
          <button key={c.id} type="button" role="tab" aria-selected={c.id === current.id} aria-controls={`config-${c.id}`} onClick={() => setTab(c.id)}>
            {c.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`config-${current.id}`} aria-label={`${current.label} config`} className="code-block">
        <pre>
          <code>{current.text}</code>
        </pre>
        <CopyButton text={current.text} />
      </div>
      {secret.startsWith('<') && <p className="muted">The secret is shown only when a key is created: paste yours in place of &lt;cluster-api-secret&gt;.</p>}
    </section>
  );
}

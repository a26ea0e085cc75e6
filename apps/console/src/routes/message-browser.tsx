import type { MessageBytes } from '@fjord/api';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { SelectField } from '../components/field.tsx';
import { QueryState } from '../components/query-state.tsx';
import { fjord } from '../data/client.ts';
import { formatTime } from '../data/format.ts';

function Bytes({ value }: { value: MessageBytes }) {
  if (value === null) return <span className="muted">null</span>;
  return <code className={value.encoding === 'base64' ? 'binary' : undefined} title={value.encoding === 'base64' ? 'binary, shown as base64' : undefined}>{value.data}</code>;
}

/** The latest records of one partition, as Confluent's message browser shows them. */
export function MessageBrowser({ clusterId, topic, partitions }: { clusterId: string; topic: string; partitions: number }) {
  const [partition, setPartition] = useState(0);
  const [limit, setLimit] = useState(20);
  const messages = useQuery({
    queryKey: ['clusters', clusterId, 'topics', topic, 'messages', partition, limit],
    queryFn: () => fjord.topics.messages(clusterId, topic, { partition, limit }),
  });
  return (
    <section className="card" aria-labelledby="messages-title">
      <h2 id="messages-title">Messages</h2>
      <div className="inline-form">
        <SelectField label="Partition" value={partition} onChange={(e) => setPartition(Number(e.target.value))}>
          {Array.from({ length: partitions }, (_, p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </SelectField>
        <SelectField label="Latest" value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
          {[20, 50, 100].map((n) => (
            <option key={n} value={n}>
              {n} messages
            </option>
          ))}
        </SelectField>
        <button type="button" className="button-secondary" onClick={() => messages.refetch()} disabled={messages.isFetching}>
          Refresh
        </button>
      </div>
      <QueryState
        query={messages}
        what="messages"
        isEmpty={(m) => m.items.length === 0}
        empty={<p>No messages in partition {partition} yet. Produce some with the client configs on the cluster page.</p>}
      >
        {(m) => (
          <table aria-label={`Messages of partition ${partition}`}>
            <thead>
              <tr>
                <th scope="col">Offset</th>
                <th scope="col">Timestamp</th>
                <th scope="col">Key</th>
                <th scope="col">Value</th>
                <th scope="col">Headers</th>
              </tr>
            </thead>
            <tbody>
              {m.items.map((msg) => (
                <tr key={msg.offset}>
                  <td>{msg.offset}</td>
                  <td title={msg.timestampType}>{formatTime(msg.timestamp)}</td>
                  <td>
                    <Bytes value={msg.key} />
                  </td>
                  <td className="message-value">
                    <Bytes value={msg.value} />
                  </td>
                  <td>
                    {msg.headers.length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      <ul className="headers">
                        {msg.headers.map((h, i) => (
                          <li key={i}>
                            {h.key}: <Bytes value={h.value} />
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </section>
  );
}

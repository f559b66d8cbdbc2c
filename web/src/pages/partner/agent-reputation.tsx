import { useQuery } from '@tanstack/react-query';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card.tsx';
import { Figures } from '../../components/ui/figures.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { Table, TBody, Td, Th, THead, Tr } from '../../components/ui/table.tsx';
import { formatDateTime, formatDay } from '../../lib/format.ts';

type Reputation = Schemas['AgentReputation'];
type Component = Reputation['components'][number];

const STRENGTH_LABELS = { paid_verified: 'paid and verified', paid: 'paid', verified: 'verified', bare: 'unbacked' } as const satisfies Record<Component['strength'], string>;
const SOURCE_LABELS = { work: 'Work records', validation: 'Third-party validations', feedback: 'Feedback' } as const satisfies Record<Component['source'], string>;

/** A share of 1 as a whole percentage; 'none' for a score the model has no evidence for. */
export function formatShare(value: number | null): string {
  return value === null ? 'none' : `${Math.round(value * 100)}%`;
}

const mass = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));

/**
 * Each component's positive and negative mass as shares of the heaviest component's mass, for
 * bars on one scale (an empty reputation: no bars).
 */
export function componentBars(components: readonly Component[]): Array<{ key: string; positive: number; negative: number }> {
  const heaviest = Math.max(0, ...components.map((component) => component.mass));
  return components.map((component) => ({
    key: `${component.source}/${component.strength}`,
    positive: heaviest === 0 ? 0 : (component.positive / heaviest) * 100,
    negative: heaviest === 0 ? 0 : (component.negative / heaviest) * 100,
  }));
}

/** Score, confidence and what makes them (GET /api/v1/agents/{id}/reputation): figures, the components as bars with their numbers, and the daily history. */
export function ReputationCard({ agentId }: { agentId: string }) {
  const api = useApi();
  const reputation = useQuery({
    queryKey: ['partner', 'agents', agentId, 'reputation'],
    queryFn: () => unwrap(api.client.GET('/api/v1/agents/{id}/reputation', { params: { path: { id: agentId } } })),
  });
  const data = reputation.data;
  const bars = data ? componentBars(data.components) : [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Reputation</CardTitle>
        <CardDescription>
          Evidence from work records, validations and feedback, weighted by what backs it (a payment, a verified piece of evidence) and halving every {data?.model.half_life_days ?? 90} days. Feedback by you or
          by a partner sharing the agent’s controller is ignored.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <QueryState query={reputation} what="the reputation" empty={false}>
          {data && (
            <>
              <Figures
                className="grid-cols-2 sm:grid-cols-4"
                items={[
                  ['Score', formatShare(data.score)],
                  ['Confidence', formatShare(data.confidence)],
                  ['Work records', data.counts.work],
                  ['Feedback', data.counts.feedback],
                ]}
              />
              <p className="text-xs text-muted-foreground">
                As of {formatDateTime(data.as_of)}. Score = (1 + P) / (2 + P + N) of the counted positive and negative mass; confidence = M / (M + {data.model.confidence_k}). Feedback of yours: {data.counts.feedback_self};
                revoked: {data.counts.feedback_revoked}.
              </p>
              {data.components.length === 0 ? (
                <p className="text-sm text-muted-foreground">No evidence yet: record work on verified evidence, and ask the agent’s customers for feedback.</p>
              ) : (
                <Table label="Reputation components">
                  <THead>
                    <Tr>
                      <Th>Component</Th>
                      <Th>Events</Th>
                      <Th>Positive</Th>
                      <Th>Negative</Th>
                      <Th>Counted</Th>
                      <Th className="w-1/3">
                        <span className="sr-only">Positive and negative mass, as bars</span>
                      </Th>
                    </Tr>
                  </THead>
                  <TBody>
                    {data.components.map((component, index) => (
                      <Tr key={bars[index]!.key} data-component={bars[index]!.key}>
                        <Td>
                          <p className="font-medium whitespace-nowrap">{SOURCE_LABELS[component.source]}</p>
                          <p className="text-xs text-muted-foreground">{STRENGTH_LABELS[component.strength]}</p>
                        </Td>
                        <Td className="tabular-nums">{component.count}</Td>
                        <Td className="tabular-nums">{mass(component.positive)}</Td>
                        <Td className="tabular-nums">{mass(component.negative)}</Td>
                        <Td className="tabular-nums whitespace-nowrap">
                          {mass(component.counted_mass)}
                          {component.cap !== null && <span className="text-xs text-muted-foreground"> (cap {component.cap})</span>}
                        </Td>
                        <Td>
                          <div aria-hidden="true" className="flex h-3 min-w-24 overflow-hidden rounded-sm bg-muted">
                            <div className="bg-success" style={{ width: `${bars[index]!.positive}%` }} />
                            <div className="bg-destructive" style={{ width: `${bars[index]!.negative}%` }} />
                          </div>
                        </Td>
                      </Tr>
                    ))}
                  </TBody>
                </Table>
              )}
              {data.history.length > 0 && (
                <details className="text-sm">
                  <summary className="cursor-pointer text-muted-foreground">Daily history ({data.history.length} {data.history.length === 1 ? 'day' : 'days'} with events)</summary>
                  <table className="mt-2 text-xs">
                    <caption className="sr-only">Reputation per day, as of the day’s last event</caption>
                    <thead>
                      <tr>
                        <th scope="col" className="pr-4 text-left font-medium">Day (UTC)</th>
                        <th scope="col" className="pr-4 text-right font-medium">Score</th>
                        <th scope="col" className="pr-4 text-right font-medium">Confidence</th>
                        <th scope="col" className="text-right font-medium">Mass</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.history.map((day) => (
                        <tr key={day.day}>
                          <td className="pr-4">{formatDay(day.day)}</td>
                          <td className="pr-4 text-right tabular-nums">{formatShare(day.score)}</td>
                          <td className="pr-4 text-right tabular-nums">{formatShare(day.confidence)}</td>
                          <td className="text-right tabular-nums">{mass(day.mass)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </details>
              )}
            </>
          )}
        </QueryState>
      </CardContent>
    </Card>
  );
}

import { Field, SearchFilter, Select } from '../../components/ui/input.tsx';
import { pageOf, useListFilter } from '../../components/ui/table.tsx';
import { CLAIM_TYPES, claimTypeLabel, type ClaimType } from './claim-types.ts';

/** What the circuits and issuers lists filter by: free text, a claim type, a status of the page's own. */
export type CatalogFilter<Status extends string> = { text: string; claimType: ClaimType | 'all'; status: Status };

const PAGE_SIZE = 10;

/**
 * A whole list from the API filtered and cut into pages in the browser (the admin lists answer
 * every row: a platform has tens of circuit versions and issuers, not thousands). A new filter goes
 * back to page 1.
 */
export function useCatalogList<Row, Status extends string>(rows: readonly Row[], initialStatus: Status, matches: (row: Row, filter: CatalogFilter<Status>) => boolean) {
  const { filter, change, page, setPage } = useListFilter<CatalogFilter<Status>>({ text: '', claimType: 'all', status: initialStatus });
  const filtered = rows.filter((row) => matches(row, filter));
  return { filter, change, filtered, shown: pageOf(filtered, page, PAGE_SIZE), setPage };
}

export function CatalogFilters<Status extends string>(props: {
  filter: CatalogFilter<Status>;
  onChange: (patch: Partial<CatalogFilter<Status>>) => void;
  placeholder: string;
  statuses: ReadonlyArray<readonly [Status, string]>;
}) {
  const { filter, onChange } = props;
  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-[1fr_14rem_10rem]">
      <SearchFilter label="Filter" placeholder={props.placeholder} value={filter.text} onChange={(text) => onChange({ text })} />
      <Field label="Claim type">
        {(control) => (
          <Select {...control} value={filter.claimType} onChange={(event) => onChange({ claimType: event.target.value as CatalogFilter<Status>['claimType'] })}>
            <option value="all">All</option>
            {CLAIM_TYPES.map((claimType) => (
              <option key={claimType} value={claimType}>
                {claimTypeLabel(claimType)}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field label="Status">
        {(control) => (
          <Select {...control} value={filter.status} onChange={(event) => onChange({ status: event.target.value as Status })}>
            {props.statuses.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Select>
        )}
      </Field>
    </div>
  );
}

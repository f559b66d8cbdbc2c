import { Link } from '@tanstack/react-router';
import { EmptyState } from '../components/ui/empty-state.tsx';

export function NotFoundPage() {
  return (
    <EmptyState title="No such page" action={<Link to="/" className="underline underline-offset-2">Go to the console’s start</Link>}>
      The address may be mistyped, or the page is not part of this console.
    </EmptyState>
  );
}

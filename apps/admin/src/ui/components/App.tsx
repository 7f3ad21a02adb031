import type { StoreInfo } from '../../api-types.js';
import { type Route, useRoute } from '../router.js';
import { useApi } from '../use-api.js';
import { DropBanner } from './DropBanner.js';
import { EventPage } from './EventPage.js';
import { LivePage } from './LivePage.js';
import { RunPage } from './RunPage.js';
import { RunsPage } from './RunsPage.js';
import { SessionPage } from './SessionPage.js';
import { SessionsPage } from './SessionsPage.js';
import { StatsPage } from './StatsPage.js';

const NAV: { page: string; label: string; active: Route['page'][] }[] = [
  { page: 'runs', label: 'Runs', active: ['runs', 'run', 'event'] },
  { page: 'sessions', label: 'Sessions', active: ['sessions', 'session'] },
  { page: 'stats', label: 'Stats', active: ['stats'] },
  { page: 'live', label: 'Live', active: ['live'] },
];

/** The dashboard shell: top bar with navigation, and the page the hash names. */
export function App() {
  const route = useRoute();
  const info = useApi<StoreInfo>(['info']);
  return (
    <div class="app">
      <nav class="topbar">
        <a class="brand" href="#/runs">
          <span class="brand-mark">◆</span> obs
        </a>
        {NAV.map((n) => (
          <a key={n.page} href={`#/${n.page}`} class={n.active.includes(route.page) ? 'nav active' : 'nav'}>
            {n.label}
          </a>
        ))}
        <span class="spacer" />
        {info.data && <span class="store-kind">{info.data.kind} store · read-only</span>}
      </nav>
      <main class="content">
        <DropBanner />
        <Page route={route} />
      </main>
    </div>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'runs':
      return <RunsPage />;
    case 'run':
      return <RunPage key={route.id} runId={route.id} />;
    case 'event':
      return <EventPage key={route.id} eventId={route.id} />;
    case 'sessions':
      return <SessionsPage />;
    case 'session':
      return <SessionPage key={route.id} sessionId={route.id} />;
    case 'stats':
      return <StatsPage />;
    case 'live':
      return <LivePage />;
    default:
      return (
        <div class="empty">
          No such page. <a href="#/runs">Back to runs</a>
        </div>
      );
  }
}

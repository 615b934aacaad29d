import * as React from 'react';
import { Box, Button, EmptyStateLayout, Flex, Loader, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Eye } from '@strapi/icons';
import { Page, useFetchClient } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import type { AuditEntry } from '../api';
import { getTrad } from '../utils/getTrad';

/** The audit trail (GET /private-messages/audit): who read whose messages, when and why; newest first, "Load more" by cursor. */
export const AuditList = () => {
  const { formatMessage, formatDate } = useIntl();
  const t = (id: string, defaultMessage: string, values?: Record<string, string | number>) =>
    formatMessage({ id: getTrad(id), defaultMessage }, values);
  const { get } = useFetchClient();
  const [entries, setEntries] = React.useState<AuditEntry[] | null>(null);
  const [cursor, setCursor] = React.useState<string | null>(null);
  const [loadError, setLoadError] = React.useState(false);

  const load = React.useCallback(
    async (after: string | null) => {
      try {
        const { data } = await get<{ data: AuditEntry[]; meta: { nextCursor: string | null } }>('/private-messages/audit', {
          params: after ? { cursor: after } : {},
        });
        setEntries((previous) => [...(after ? previous ?? [] : []), ...data.data]);
        setCursor(data.meta.nextCursor);
      } catch {
        setLoadError(true);
      }
    },
    [get],
  );

  React.useEffect(() => {
    load(null);
  }, [load]);

  const actionLabel = (action: AuditEntry['action']) =>
    ({
      'report.view': t('audit.action.reportView', 'Viewed a report'),
      'message.deletedBody': t('audit.action.deletedBody', 'Read a deleted message'),
      'user.export': t('audit.action.export', 'Exported a user’s data'),
      'thread.open': t('audit.action.threadOpen', 'Opened a thread'),
      'attachment.view': t('audit.action.attachment', 'Viewed an attachment'),
      'user.erase': t('audit.action.erase', 'Erased a user’s data'),
    })[action] ?? action;

  if (loadError) return <Page.Error />;
  if (entries === null) {
    return (
      <Flex justifyContent="center" padding={8}>
        <Loader>{t('audit.loading', 'Loading the audit trail')}</Loader>
      </Flex>
    );
  }
  if (entries.length === 0) {
    return (
      <EmptyStateLayout
        icon={<Eye width="6.4rem" height="6.4rem" />}
        content={t('audit.empty', 'No admin has read message content yet.')}
        hasRadius
        shadow="tableShadow"
      />
    );
  }
  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Table colCount={5} rowCount={entries.length + 1} data-testid="pm-audit">
        <Thead>
          <Tr>
            <Th><Typography variant="sigma">{t('audit.when', 'When')}</Typography></Th>
            <Th><Typography variant="sigma">{t('audit.admin', 'Admin')}</Typography></Th>
            <Th><Typography variant="sigma">{t('audit.action', 'Action')}</Typography></Th>
            <Th><Typography variant="sigma">{t('audit.subject', 'Whose data')}</Typography></Th>
            <Th><Typography variant="sigma">{t('audit.reason', 'Reason')}</Typography></Th>
          </Tr>
        </Thead>
        <Tbody>
          {entries.map((e) => (
            <Tr key={e.id}>
              <Td><Typography>{formatDate(new Date(e.createdAt), { dateStyle: 'medium', timeStyle: 'short' })}</Typography></Td>
              <Td><Typography>{e.admin.name}</Typography></Td>
              <Td><Typography>{actionLabel(e.action)}</Typography></Td>
              <Td>
                <Typography>
                  {[e.userId !== null ? t('audit.user', 'user {id}', { id: e.userId }) : null, e.threadId ? t('audit.thread', 'thread {id}', { id: e.threadId }) : null]
                    .filter(Boolean)
                    .join(', ')}
                </Typography>
              </Td>
              <Td><Typography>{e.reason ?? ''}</Typography></Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
      {cursor ? (
        <Box>
          <Button variant="tertiary" onClick={() => load(cursor)}>
            {t('audit.more', 'Load more')}
          </Button>
        </Box>
      ) : null}
    </Flex>
  );
};

import * as React from 'react';
import { Box, EmptyStateLayout, Flex, Loader, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { CheckCircle } from '@strapi/icons';
import { Page, useFetchClient } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import type { UserSummary } from '../api';
import { getTrad } from '../utils/getTrad';

export type RequestStat = { user: UserSummary | null; sent: number; declined: number; declinedWithBlock: number };

/** Message requests per sender over the last days (GET /private-messages/requests/stats). */
export const useRequestStats = (days = 7) => {
  const { get } = useFetchClient();
  const [stats, setStats] = React.useState<RequestStat[] | null>(null);
  const [error, setError] = React.useState(false);
  React.useEffect(() => {
    let cancelled = false;
    get<{ data: RequestStat[] }>('/private-messages/requests/stats', { params: { days } })
      .then(({ data }) => !cancelled && setStats(data.data))
      .catch(() => !cancelled && setError(true));
    return () => {
      cancelled = true;
    };
  }, [get, days]);
  return { stats, error };
};

/**
 * The moderation page's "Requests" tab: who sent message requests in the last 7 days, how many
 * were declined, and how many declined with a block: a sender many people block is likely a spammer.
 */
export const RequestStats = () => {
  const { formatMessage } = useIntl();
  const t = (id: string, defaultMessage: string) => formatMessage({ id: getTrad(id), defaultMessage });
  const { stats, error } = useRequestStats(7);
  if (error) return <Page.Error />;
  if (stats === null) {
    return (
      <Flex justifyContent="center" padding={8}>
        <Loader>{t('requests.loading', 'Loading the message requests')}</Loader>
      </Flex>
    );
  }
  if (stats.length === 0) {
    return (
      <EmptyStateLayout
        icon={<CheckCircle width="6.4rem" height="6.4rem" fill="success600" />}
        content={t('requests.empty', 'No message requests in the last 7 days.')}
        hasRadius
        shadow="tableShadow"
      />
    );
  }
  return (
    <Box>
      <Box paddingBottom={4}>
        <Typography variant="omega" textColor="neutral600">
          {t('requests.intro', 'Message requests sent in the last 7 days, per sender: those most often declined with a block first.')}
        </Typography>
      </Box>
      <Table colCount={4} rowCount={stats.length + 1}>
        <Thead>
          <Tr>
            <Th><Typography variant="sigma">{t('requests.column.sender', 'Sender')}</Typography></Th>
            <Th><Typography variant="sigma">{t('requests.column.sent', 'Requests sent')}</Typography></Th>
            <Th><Typography variant="sigma">{t('requests.column.declined', 'Declined')}</Typography></Th>
            <Th><Typography variant="sigma">{t('requests.column.blocked', 'Declined with a block')}</Typography></Th>
          </Tr>
        </Thead>
        <Tbody>
          {stats.map((s, i) => (
            <Tr key={s.user?.id ?? `deleted-${i}`}>
              <Td><Typography>{s.user?.username ?? t('user.deleted', 'Deleted user')}</Typography></Td>
              <Td><Typography>{s.sent}</Typography></Td>
              <Td><Typography>{s.declined}</Typography></Td>
              <Td><Typography fontWeight={s.declinedWithBlock > 0 ? 'bold' : undefined}>{s.declinedWithBlock}</Typography></Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    </Box>
  );
};

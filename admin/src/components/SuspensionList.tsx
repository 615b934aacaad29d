import * as React from 'react';
import { Box, Button, EmptyStateLayout, Flex, Loader, Typography } from '@strapi/design-system';
import { CheckCircle, Lock } from '@strapi/icons';
import { Page, Pagination, useAPIErrorHandler, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import { apiErrorOf, statusOf, type Pagination as PaginationMeta, type Suspension } from '../api';
import { getTrad } from '../utils/getTrad';
import { adminName } from '../utils/messageText';
import { LiftDialog } from './LiftDialog';

type Props = {
  page: number;
  pageSize: number;
  pageSizes: string[];
  /** The last suspension of a page beyond the first was lifted: go back a page. */
  onPageEmptied: () => void;
};

/** Senders suspended by moderators (GET /private-messages/suspensions), each with a "Lift" action. */
export const SuspensionList = ({ page, pageSize, pageSizes, onPageEmptied }: Props) => {
  const { formatMessage, formatDate } = useIntl();
  const t = (id: string, defaultMessage: string, values?: Record<string, string | number>) =>
    formatMessage({ id: getTrad(id), defaultMessage }, values);
  const { get, del } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { formatAPIError } = useAPIErrorHandler();
  const [suspensions, setSuspensions] = React.useState<Suspension[] | null>(null);
  const [pagination, setPagination] = React.useState<PaginationMeta | null>(null);
  const [loadError, setLoadError] = React.useState(false);
  const [reload, setReload] = React.useState(0);
  const [pending, setPending] = React.useState<Suspension | null>(null);

  React.useEffect(() => {
    let cancelled = false;
    setSuspensions(null);
    get<{ data: Suspension[]; meta: { pagination: PaginationMeta } }>('/private-messages/suspensions', {
      params: { page, pageSize },
    })
      .then(({ data }) => {
        if (cancelled) return;
        setLoadError(false);
        setSuspensions(data.data);
        setPagination(data.meta.pagination);
      })
      .catch(() => !cancelled && setLoadError(true));
    return () => {
      cancelled = true;
    };
  }, [get, page, pageSize, reload]);

  const userName = (s: Suspension | null) => s?.user.username ?? t('user.deleted', 'Deleted user');
  const when = (iso: string) => formatDate(new Date(iso), { dateStyle: 'medium', timeStyle: 'short' });

  const lift = async (suspension: Suspension) => {
    try {
      await del(`/private-messages/suspensions/${suspension.user.id}`);
      toggleNotification({ type: 'success', message: t('suspensions.notification.lifted', 'Suspension lifted') });
    } catch (error) {
      // 404: another moderator lifted it meanwhile; the list is refreshed either way.
      toggleNotification({
        type: statusOf(error) === 404 ? 'warning' : 'danger',
        message: apiErrorOf(error)?.message ?? formatAPIError(error as Parameters<typeof formatAPIError>[0]),
      });
    }
    setPending(null);
    if (suspensions?.length === 1 && page > 1) onPageEmptied();
    else setReload((n) => n + 1);
  };

  if (loadError) return <Page.Error />;
  if (suspensions === null) {
    return (
      <Flex justifyContent="center" padding={8}>
        <Loader>{t('suspensions.loading', 'Loading the suspensions')}</Loader>
      </Flex>
    );
  }
  return (
    <>
      {suspensions.length === 0 ? (
        <EmptyStateLayout
          icon={<CheckCircle width="6.4rem" height="6.4rem" fill="success600" />}
          content={t('suspensions.empty', 'No suspended senders.')}
          hasRadius
          shadow="tableShadow"
        />
      ) : (
        <Flex direction="column" alignItems="stretch" gap={4}>
          {suspensions.map((s) => (
            <Box
              key={s.user.id}
              background="neutral0"
              hasRadius
              shadow="filterShadow"
              padding={6}
              data-testid="pm-suspension"
              data-user-id={s.user.id}
            >
              <Flex justifyContent="space-between" alignItems="center" gap={4} wrap="wrap">
                <Flex direction="column" alignItems="flex-start" gap={1}>
                  <Typography variant="delta" tag="h2">
                    {userName(s)}
                  </Typography>
                  <Typography variant="pi" textColor="neutral600">
                    {t('suspensions.by', 'Suspended on {date} by {admin}', {
                      date: when(s.suspendedAt),
                      admin: adminName(s.suspendedBy) ?? t('admin.deleted', 'Deleted admin'),
                    })}
                  </Typography>
                  {s.note ? (
                    <Typography textColor="neutral600" style={{ whiteSpace: 'pre-wrap' }}>
                      {t('report.note', 'Note: {note}', { note: s.note })}
                    </Typography>
                  ) : null}
                </Flex>
                <Button variant="secondary" startIcon={<Lock />} onClick={() => setPending(s)}>
                  {t('suspensions.lift', 'Lift')}
                </Button>
              </Flex>
            </Box>
          ))}
        </Flex>
      )}
      {pagination && pagination.total > 0 ? (
        <Box paddingTop={4}>
          <Pagination.Root pageCount={pagination.pageCount} total={pagination.total} defaultPageSize={10}>
            <Pagination.PageSize options={pageSizes} />
            <Pagination.Links />
          </Pagination.Root>
        </Box>
      ) : null}
      <LiftDialog suspension={pending} userName={userName(pending)} onClose={() => setPending(null)} onConfirm={lift} />
    </>
  );
};

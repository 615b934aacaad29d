import * as React from 'react';
import { Box, EmptyStateLayout, Flex, Loader, Tabs } from '@strapi/design-system';
import { CheckCircle } from '@strapi/icons';
import {
  Layouts,
  Page,
  Pagination,
  useAPIErrorHandler,
  useFetchClient,
  useNotification,
  useQueryParams,
  useRBAC,
} from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import { apiErrorOf, statusOf, type Pagination as PaginationMeta, type Report, type Resolution } from '../api';
import { ReportCard } from '../components/ReportCard';
import { ResolveDialog } from '../components/ResolveDialog';
import { SuspensionList } from '../components/SuspensionList';
import { RequestStats, useRequestStats } from '../components/RequestStats';
import { AuditList } from '../components/AuditList';
import { OpenThreadDialog } from '../components/OpenThreadDialog';
import { PERMISSIONS } from '../permissions';
import { getTrad } from '../utils/getTrad';

/** The tabs: reports by status, the senders suspended by moderators, message requests per sender, and the audit trail (audit.read). */
type Status = 'open' | 'resolved' | 'suspended' | 'requests' | 'audit';
type Query = { status?: string; page?: string; pageSize?: string };

const PAGE_SIZES = ['10', '20', '50', '100'];

/** The moderation queue (reported messages in their thread, open or resolved, newest first) and suspended senders. */
const ProtectedModerationPage = () => (
  <Page.Protect permissions={PERMISSIONS.reportsManage}>
    <ModerationPage />
  </Page.Protect>
);

const ModerationPage = () => {
  const { formatMessage } = useIntl();
  const t = (id: string, defaultMessage: string, values?: Record<string, string | number>) =>
    formatMessage({ id: getTrad(id), defaultMessage }, values);
  const { get, post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { formatAPIError } = useAPIErrorHandler();
  const [{ query }, setQuery] = useQueryParams<Query>();
  const {
    allowedActions: { canRead: canReadAudit },
  } = useRBAC({ read: PERMISSIONS.auditRead });
  const status: Status =
    query.status === 'resolved' || query.status === 'suspended' || query.status === 'requests' || (query.status === 'audit' && canReadAudit)
      ? query.status
      : 'open';
  // Declined-with-block counts of senders, shown on their reported messages.
  const { stats: requestStats } = useRequestStats(7);
  const [investigated, setInvestigated] = React.useState<string | null>(null);
  const page = Math.max(1, Number(query.page) || 1);
  const pageSize = PAGE_SIZES.includes(String(query.pageSize)) ? Number(query.pageSize) : 10;

  const [reports, setReports] = React.useState<Report[] | null>(null);
  const [pagination, setPagination] = React.useState<PaginationMeta | null>(null);
  const [loadError, setLoadError] = React.useState(false);
  const [reload, setReload] = React.useState(0);
  const [pending, setPending] = React.useState<{ report: Report; action: Resolution } | null>(null);

  React.useEffect(() => {
    if (status === 'suspended' || status === 'requests' || status === 'audit') return undefined;
    let cancelled = false;
    setReports(null);
    get<{ data: Report[]; meta: { pagination: PaginationMeta } }>('/private-messages/reports', {
      params: { status, page, pageSize },
    })
      .then(({ data }) => {
        if (cancelled) return;
        setLoadError(false);
        setReports(data.data);
        setPagination(data.meta.pagination);
      })
      .catch(() => !cancelled && setLoadError(true));
    return () => {
      cancelled = true;
    };
  }, [get, status, page, pageSize, reload]);

  const resolve = async (action: Resolution, note: string) => {
    if (!pending) return;
    try {
      await post(`/private-messages/reports/${pending.report.id}/resolve`, note ? { action, note } : { action });
      toggleNotification({ type: 'success', message: t('moderation.notification.resolved', 'Report resolved') });
    } catch (error) {
      toggleNotification({
        type: statusOf(error) === 409 ? 'warning' : 'danger',
        message: apiErrorOf(error)?.message ?? formatAPIError(error as Parameters<typeof formatAPIError>[0]),
      });
    }
    setPending(null);
    // The last report of a page leaves it: step back rather than show an empty page.
    if (reports?.length === 1 && page > 1) setQuery({ page: String(page - 1) });
    else setReload((n) => n + 1);
  };

  const tabLabel = (s: Status) =>
    s === 'open'
      ? t('moderation.tab.open', 'Open')
      : s === 'resolved'
        ? t('moderation.tab.resolved', 'Resolved')
        : s === 'requests'
          ? t('moderation.tab.requests', 'Message requests')
          : s === 'audit'
            ? t('moderation.tab.audit', 'Audit')
          : t('moderation.tab.suspended', 'Suspended senders');

  return (
    <Page.Main>
      <Page.Title>{t('moderation.pageTitle', 'Message moderation')}</Page.Title>
      <Layouts.Header
        title={t('moderation.title', 'Message moderation')}
        subtitle={
          pagination && status === 'open'
            ? t(
                'moderation.subtitle.open',
                '{count, plural, =0 {No open reports} one {# open report} other {# open reports}}',
                {
                  count: pagination.total,
                },
              )
            : t('moderation.subtitle', 'Reported private messages, newest first.')
        }
      />
      <Layouts.Content>
        <Tabs.Root
          value={status}
          onValueChange={(value: string) => setQuery({ status: value, page: '1' })}
          variant="simple"
        >
          <Tabs.List aria-label={t('moderation.tabs.label', 'Report status')}>
            {(canReadAudit
              ? (['open', 'resolved', 'suspended', 'requests', 'audit'] as const)
              : (['open', 'resolved', 'suspended', 'requests'] as const)
            ).map((s) => (
              <Tabs.Trigger key={s} value={s}>
                {tabLabel(s)}
              </Tabs.Trigger>
            ))}
          </Tabs.List>
          <Tabs.Content value={status}>
            <Box paddingTop={6}>
              {status === 'requests' ? (
                <RequestStats />
              ) : status === 'audit' ? (
                <AuditList />
              ) : status === 'suspended' ? (
                <SuspensionList
                  page={page}
                  pageSize={pageSize}
                  pageSizes={PAGE_SIZES}
                  onPageEmptied={() => setQuery({ page: String(page - 1) })}
                />
              ) : loadError ? (
                <Page.Error />
              ) : reports === null ? (
                <Flex justifyContent="center" padding={8}>
                  <Loader>{t('moderation.loading', 'Loading the reports')}</Loader>
                </Flex>
              ) : reports.length === 0 ? (
                <EmptyStateLayout
                  icon={<CheckCircle width="6.4rem" height="6.4rem" fill="success600" />}
                  content={
                    status === 'open'
                      ? t('moderation.empty.open', 'No open reports: nothing needs your attention.')
                      : t('moderation.empty.resolved', 'No resolved reports yet.')
                  }
                  hasRadius
                  shadow="tableShadow"
                />
              ) : (
                <Flex direction="column" alignItems="stretch" gap={4}>
                  {reports.map((report) => (
                    <ReportCard
                      key={report.id}
                      report={report}
                      declinedWithBlock={requestStats?.find((r) => r.user && r.user.id === report.message?.author?.id)?.declinedWithBlock}
                      onResolve={(r, action) => setPending({ report: r, action })}
                      onOpenThread={(r) => r.thread && setInvestigated(r.thread.id)}
                    />
                  ))}
                </Flex>
              )}
              {status !== 'suspended' && status !== 'requests' && status !== 'audit' && pagination && pagination.total > 0 ? (
                <Box paddingTop={4}>
                  <Pagination.Root pageCount={pagination.pageCount} total={pagination.total} defaultPageSize={10}>
                    <Pagination.PageSize options={PAGE_SIZES} />
                    <Pagination.Links />
                  </Pagination.Root>
                </Box>
              ) : null}
            </Box>
          </Tabs.Content>
        </Tabs.Root>
      </Layouts.Content>
      <ResolveDialog action={pending?.action ?? null} onClose={() => setPending(null)} onConfirm={resolve} />
      <OpenThreadDialog threadId={investigated} onClose={() => setInvestigated(null)} />
    </Page.Main>
  );
};

export { ProtectedModerationPage, ModerationPage };
export default ProtectedModerationPage;

import * as React from 'react';
import { Badge, Box, Button, Divider, Flex, Typography } from '@strapi/design-system';
import { Check, Cross, Trash } from '@strapi/icons';
import { useIntl } from 'react-intl';
import type { Report, ReportedMessage, Resolution, UserSummary } from '../api';
import { getTrad } from '../utils/getTrad';
import { adminName, messageText } from '../utils/messageText';
import { useResolutionLabels } from './labels';
import { FieldValuesLine } from './CustomFields';

type Props = {
  report: Report;
  onResolve: (report: Report, action: Resolution) => void;
  /** How often the author's message requests were declined with a block in the last 7 days. */
  declinedWithBlock?: number;
  /** "Open thread": read the whole thread for an investigation (a reason is asked, and audited). */
  onOpenThread?: (report: Report) => void;
};

const initials = (name: string) => name.slice(0, 2).toUpperCase();

/**
 * Text and background pairs that keep WCAG AA's 4.5:1 for the badges' small bold text. The design
 * system's own badge variants (e.g. warning700 on warning200, 3.6:1; danger700 on danger200, 3.9:1)
 * fall short, so each badge names its colours; a border keeps the hue where the text is neutral.
 */
const BADGE_COLORS = {
  open: { backgroundColor: 'warning100', textColor: 'neutral800', borderColor: 'warning600', borderStyle: 'solid', borderWidth: '1px' },
  resolved: { backgroundColor: 'success100', textColor: 'success700' },
  reported: { backgroundColor: 'neutral0', textColor: 'danger700', borderColor: 'danger600', borderStyle: 'solid', borderWidth: '1px' },
  deleted: { backgroundColor: 'neutral150', textColor: 'neutral700' },
} as const;

/** One report: who reported what and why, the message among its neighbours, and its outcome. */
export const ReportCard = ({ report, onResolve, declinedWithBlock, onOpenThread }: Props) => {
  const { formatMessage, formatDate } = useIntl();
  const t = (id: string, defaultMessage: string, values?: Record<string, React.ReactNode>) =>
    formatMessage({ id: getTrad(id), defaultMessage }, values as Record<string, string>);
  const labels = useResolutionLabels();
  const when = (iso: string | null) =>
    iso ? formatDate(new Date(iso), { dateStyle: 'medium', timeStyle: 'short' }) : '';
  const userName = (u: UserSummary | null) => u?.username ?? t('user.deleted', 'Deleted user');
  const resolver = adminName(report.resolvedBy) ?? t('admin.deleted', 'Deleted admin');

  return (
    <Box
      background="neutral0"
      hasRadius
      shadow="filterShadow"
      padding={6}
      data-testid="pm-report"
      data-report-id={report.id}
      data-status={report.status}
    >
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Flex justifyContent="space-between" alignItems="flex-start" gap={4} wrap="wrap">
          <Flex direction="column" alignItems="flex-start" gap={1}>
            <Typography variant="delta" tag="h2">
              {report.thread
                ? report.thread.subject || t('report.thread.noSubject', '(no subject)')
                : t('report.thread.gone', 'Thread no longer exists')}
            </Typography>
            <FieldValuesLine values={report.thread?.fields} />
            <Typography variant="pi" textColor="neutral600">
              {t('report.reportedBy', 'Reported by {reporter} on {date}', {
                reporter: userName(report.reporter),
                date: when(report.createdAt),
              })}
            </Typography>
            {declinedWithBlock ? (
              <Typography variant="pi" textColor="danger700" data-testid="pm-declined-with-block">
                {t('report.declinedWithBlock', 'Its author’s message requests were declined with a block {count} times in the last 7 days', {
                  count: declinedWithBlock,
                })}
              </Typography>
            ) : null}
          </Flex>
          {report.status === 'open' ? (
            <Badge {...BADGE_COLORS.open}>{t('status.open', 'Open')}</Badge>
          ) : (
            <Badge {...BADGE_COLORS.resolved}>{t('status.resolved', 'Resolved')}</Badge>
          )}
        </Flex>

        <Box background="neutral100" hasRadius padding={4}>
          <Typography variant="sigma" textColor="neutral600">
            {t('report.reason', 'Reason')}
          </Typography>
          <Box paddingTop={1}>
            <Typography data-testid="pm-report-reason" style={{ whiteSpace: 'pre-wrap' }}>
              {report.reason}
            </Typography>
          </Box>
        </Box>

        <Flex direction="column" alignItems="stretch" gap={2}>
          <Typography variant="sigma" textColor="neutral600">
            {t('report.context', 'The message in its thread')}
          </Typography>
          {report.context.length === 0 ? (
            <Typography textColor="neutral600">{t('report.message.gone', 'The message no longer exists.')}</Typography>
          ) : (
            report.context.map((m) => <ContextMessage key={m.id} message={m} when={when} userName={userName} />)
          )}
        </Flex>

        {report.thread && onOpenThread ? (
          <Flex justifyContent="flex-start">
            <Button variant="tertiary" onClick={() => onOpenThread(report)}>
              {t('report.openThread', 'Open thread')}
            </Button>
          </Flex>
        ) : null}

        <Divider />

        {report.status === 'open' ? (
          <Flex gap={2} wrap="wrap" justifyContent="flex-end">
            <Button variant="secondary" startIcon={<Check />} onClick={() => onResolve(report, 'dismiss')}>
              {labels.dismiss}
            </Button>
            <Button
              variant="danger-light"
              startIcon={<Trash />}
              onClick={() => onResolve(report, 'deleteMessage')}
              disabled={!report.message || report.message.deleted}
            >
              {labels.deleteMessage}
            </Button>
            <Button
              variant="danger-light"
              startIcon={<Cross />}
              onClick={() => onResolve(report, 'disableSender')}
              disabled={!report.message?.author}
            >
              {labels.disableSender}
            </Button>
          </Flex>
        ) : (
          <Flex direction="column" alignItems="stretch" gap={1} data-testid="pm-report-resolution">
            <Typography>
              {t('report.resolvedBy', '{action} by {admin} on {date}', {
                action: report.resolution ? labels[report.resolution] : t('status.resolved', 'Resolved'),
                admin: resolver,
                date: when(report.resolvedAt),
              })}
            </Typography>
            {report.note ? (
              <Typography textColor="neutral600" style={{ whiteSpace: 'pre-wrap' }}>
                {t('report.note', 'Note: {note}', { note: report.note })}
              </Typography>
            ) : null}
          </Flex>
        )}
      </Flex>
    </Box>
  );
};

const ContextMessage = ({
  message,
  when,
  userName,
}: {
  message: ReportedMessage;
  when: (iso: string) => string;
  userName: (u: UserSummary | null) => string;
}) => {
  const { formatMessage } = useIntl();
  const name = userName(message.author);
  return (
    <Box
      hasRadius
      padding={3}
      background={message.reported ? 'danger100' : 'neutral0'}
      borderColor={message.reported ? 'danger600' : 'neutral150'}
      borderStyle="solid"
      borderWidth="1px"
      data-testid={message.reported ? 'pm-reported-message' : 'pm-context-message'}
    >
      <Flex gap={3} alignItems="flex-start">
        <Flex
          aria-hidden
          background={message.reported ? 'danger600' : 'primary100'}
          width="3.2rem"
          height="3.2rem"
          shrink={0}
          justifyContent="center"
          alignItems="center"
          style={{ borderRadius: '50%' }}
        >
          <Typography variant="pi" fontWeight="bold" textColor={message.reported ? 'neutral0' : 'primary600'}>
            {initials(name)}
          </Typography>
        </Flex>
        <Flex direction="column" alignItems="stretch" gap={1} flex={1}>
          <Flex gap={2} wrap="wrap">
            <Typography fontWeight="bold">{name}</Typography>
            <Typography variant="pi" textColor="neutral600">
              {when(message.createdAt)}
            </Typography>
            {message.reported ? (
              <Badge {...BADGE_COLORS.reported}>
                {formatMessage({ id: getTrad('report.message.reported'), defaultMessage: 'Reported' })}
              </Badge>
            ) : null}
            {message.deleted ? (
              <Badge {...BADGE_COLORS.deleted}>{formatMessage({ id: getTrad('report.message.deleted'), defaultMessage: 'Deleted' })}</Badge>
            ) : null}
          </Flex>
          {message.body ? (
            <Typography style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
              {messageText(message.body)}
            </Typography>
          ) : (
            <Typography textColor="neutral600" style={{ fontStyle: 'italic' }}>
              {formatMessage({
                id: getTrad('report.message.noBody'),
                defaultMessage: 'The text of this message was removed.',
              })}
            </Typography>
          )}
          <FieldValuesLine values={message.fields} />
        </Flex>
      </Flex>
    </Box>
  );
};

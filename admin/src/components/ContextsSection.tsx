import { Flex, Typography } from '@strapi/design-system';
import { Section } from './Fields';

/** A declaration of `contexts` in config/plugins (server/src/config/contexts.ts), as GET /settings lists it. */
export type ContextDeclarations = Record<string, { ownerField: string; titleField: string; urlTemplate: string; requests?: boolean }>;

type Props = {
  t: (id: string, defaultMessage: string, values?: Record<string, string>) => string;
  declarations: ContextDeclarations | undefined;
};

/**
 * The settings page's "Threads about documents" section: the content types members can ask about,
 * read-only (they are declared in config/plugins, not saved from here).
 */
export const ContextsSection = ({ t, declarations }: Props) => {
  const entries = Object.entries(declarations ?? {});
  return (
    <Section
      title={t('settings.section.contexts', 'Threads about documents')}
      description={t('settings.contexts.description', 'Content types whose owner members can ask about ("contact the seller"). Declared under contexts in config/plugins.')}
    >
      <Flex direction="column" alignItems="stretch" gap={2}>
        {entries.length === 0 ? (
          <Typography variant="omega" textColor="neutral600">
            {t('settings.contexts.none', 'None declared.')}
          </Typography>
        ) : (
          entries.map(([uid, d]) => (
            <Typography key={uid} variant="omega">
              {t('settings.contexts.declaration', '{uid}: answered by {ownerField}, titled by {titleField}, linked to {urlTemplate}', {
                uid,
                ownerField: d.ownerField,
                titleField: d.titleField,
                urlTemplate: d.urlTemplate,
              })}
            </Typography>
          ))
        )}
      </Flex>
    </Section>
  );
};

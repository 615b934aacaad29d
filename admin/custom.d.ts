// @strapi/design-system ships its own types: no ambient `declare module` here, so the admin
// code is checked against the real component props.
export {};

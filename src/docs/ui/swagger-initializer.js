/* global SwaggerUIBundle */
// Swagger UI for this service's own document. A file, not an inline script: the page runs under
// a Content-Security-Policy without 'unsafe-inline'.
window.ui = SwaggerUIBundle({
  url: '/docs/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // Never send the document to validator.swagger.io for a badge.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});

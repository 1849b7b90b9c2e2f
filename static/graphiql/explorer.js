// Starts GraphiQL on the page served at /graphiql (React 18 and GraphiQL 3 UMD
// builds, loaded before this file). Kept out of the HTML so the page needs no
// inline script under its Content-Security-Policy.
(function () {
  'use strict';
  var exampleQuery = [
    '# Welcome to the Signpost directory explorer.',
    '#',
    '# Run this query with the \u25B6 button (or Ctrl-Enter). The Docs button',
    '# (top left) describes every type, field, filter and order.',
    '',
    'query AdviceServices {',
    '  services(first: 5, filter: {search: "advice"}) {',
    '    totalCount',
    '    nodes {',
    '      name',
    '      status',
    '      provider { name }',
    '      venues(first: 2) { nodes { name postalCode } }',
    '    }',
    '    pageInfo { hasNextPage endCursor }',
    '  }',
    '}',
    ''
  ].join('\n');

  var element = document.getElementById('graphiql');
  var fetcher = GraphiQL.createFetcher({ url: element.dataset.endpoint || '/graphql' });
  ReactDOM.createRoot(element).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: exampleQuery,
      defaultEditorToolsVisibility: false
    })
  );
})();

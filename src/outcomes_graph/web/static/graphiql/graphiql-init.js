// Starts GraphiQL on the page served at GET /graphql; every file it needs is served locally.
(function () {
  var element = document.getElementById("graphiql");
  var fetcher = GraphiQL.createFetcher({ url: element.dataset.endpoint });
  var root = ReactDOM.createRoot(element);
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: element.dataset.query,
      defaultEditorToolsVisibility: true,
    })
  );
})();

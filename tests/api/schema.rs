#[test]
fn schema_graphql_is_the_printed_schema() {
    let committed = include_str!("../../schema.graphql");
    assert_eq!(
        signpost::graphql::sdl(),
        committed,
        "schema.graphql is stale: run `cargo run -- print-schema > schema.graphql`"
    );
}
